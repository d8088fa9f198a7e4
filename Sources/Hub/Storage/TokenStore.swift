import Glibc

/// Tokens, users, the audit log and the revocation stamp over one `SQLiteDatabase`, synchronously.
///
/// Not Sendable: the `Store` actor owns one in the daemon, and `hub token` uses one directly in
/// its own short-lived process (no actor or event loop needed there). Secrets are `hub_` and 32
/// random bytes in base64url; only their SHA-256 is stored, so a copy of the file grants nothing.
final class TokenStore {
    /// The file name inside the data directory.
    static let fileName = "hub.sqlite"
    /// The prefix every secret starts with, so a leaked one is recognisable (secret scanners).
    static let secretPrefix = "hub_"
    /// The prefix of public token ids.
    static let idPrefix = "tok_"

    let database: SQLiteDatabase

    /// Wraps an open, migrated database.
    init(database: SQLiteDatabase) {
        self.database = database
    }

    /// Opens `<dataDir>/hub.sqlite`, creating it if needed, and migrates it to the current schema.
    /// - Throws: `StoreError`; the store is then not usable at all, never half-working.
    static func open(dataDir: String) throws(StoreError) -> TokenStore {
        try open(path: databasePath(dataDir: dataDir))
    }

    /// Opens the database file at `path` and migrates it.
    static func open(path: String) throws(StoreError) -> TokenStore {
        let database = try SQLiteDatabase(path: path)
        try StoreSchema.migrate(database)
        return TokenStore(database: database)
    }

    /// `<dataDir>/hub.sqlite`.
    static func databasePath(dataDir: String) -> String {
        dataDir.hasSuffix("/") ? dataDir + fileName : dataDir + "/" + fileName
    }

    /// The current wall-clock time in Unix seconds.
    static func now() -> Int64 { Int64(time(nil)) }

    // MARK: Tokens

    /// Issues a token for `user` (creating the user row if needed) and returns its secret, once.
    /// - Parameters:
    ///   - ttl: seconds until it expires, or nil for never; must be positive.
    ///   - auditActor: when given, an audit row `token.create` is written in the same transaction.
    /// - Throws: `StoreError.invalidArgument` for a bad user id or TTL.
    func createToken(
        user: String, kind: TokenKind, ttl: Int64? = nil, now: Int64 = TokenStore.now(), auditActor: String? = nil
    ) throws(StoreError) -> (info: TokenInfo, secret: String) {
        try TokenStore.validate(user: user)
        if let ttl, ttl <= 0 { throw .invalidArgument("the TTL must be a positive number of seconds, not \(ttl)") }
        return try database.transaction { () throws(StoreError) -> (info: TokenInfo, secret: String) in
            let minted = try mint(user: user, kind: kind, ttl: ttl, now: now)
            if let auditActor {
                try insertAudit(time: now, actor: auditActor, action: "token.create", target: minted.info.id,
                                details: TokenStore.details(minted.info))
            }
            return minted
        }
    }

    /// Checks a presented secret.
    ///
    /// The lookup is by the SHA-256 of the secret through the UNIQUE index on `tokens.hash`, never
    /// by comparing secrets: how long the B-tree search takes depends only on the digest of what
    /// the client sent, which an attacker cannot steer towards a stored digest without a SHA-256
    /// preimage, so timing reveals nothing about any stored secret. No extra constant-time compare
    /// is needed (or possible) on top of the index lookup.
    func verify(secret: String, now: Int64 = TokenStore.now()) throws(StoreError) -> TokenVerdict {
        guard secret.hasPrefix(TokenStore.secretPrefix) else { return .unknown }
        let statement = try database.prepare("\(TokenStore.selectColumns) WHERE hash = ?")
        try statement.bind(blob: Crypto.sha256(secret.utf8), at: 1)
        guard try statement.step(), let info = TokenStore.info(statement) else { return .unknown }
        if info.revoked != nil { return .revoked }
        if let expires = info.expires, now >= expires { return .expired }
        return .valid(info)
    }

    /// Every token ever issued, revoked and expired ones included, oldest first; never a secret.
    func listTokens() throws(StoreError) -> [TokenInfo] {
        let statement = try database.prepare("\(TokenStore.selectColumns) ORDER BY created, rowid")
        var tokens: [TokenInfo] = []
        while try statement.step() {
            if let info = TokenStore.info(statement) { tokens.append(info) }
        }
        return tokens
    }

    /// Revokes the token whose secret or public id is `secretOrID`; returns how many were revoked
    /// (0 when none matches or it was already revoked). Bumps the revocation stamp when it is > 0.
    func revoke(secretOrID: String, now: Int64 = TokenStore.now(), auditActor: String? = nil) throws(StoreError) -> Int {
        // Matching the id or the hash in one statement needs no guess at what was passed.
        let hash = Crypto.sha256(secretOrID.utf8)
        let isSecret = secretOrID.hasPrefix(TokenStore.secretPrefix)
        return try database.transaction { () throws(StoreError) -> Int in
            let ids = try database.query(
                "SELECT id FROM tokens WHERE (id = ? OR hash = ?) AND revoked IS NULL", [.text(secretOrID), .blob(hash)])
            let count = try database.run(
                "UPDATE tokens SET revoked = ? WHERE (id = ? OR hash = ?) AND revoked IS NULL",
                [.integer(now), .text(secretOrID), .blob(hash)])
            if count > 0 { try bumpRevocationStamp() }
            if let auditActor {
                // Never write a secret into the log: name what it matched instead.
                let target = ids.compactMap { row -> String? in
                    if case .text(let id) = row.first { return id }
                    return nil
                }.joined(separator: ",")
                try insertAudit(time: now, actor: auditActor, action: "token.revoke",
                                target: target.isEmpty ? (isSecret ? nil : secretOrID) : target,
                                details: "count=\(count)\(isSecret ? " by=secret" : "")")
            }
            return count
        }
    }

    /// Revokes every active token of `user`; returns how many. Bumps the stamp when > 0.
    func revokeUser(_ user: String, now: Int64 = TokenStore.now(), auditActor: String? = nil) throws(StoreError) -> Int {
        try database.transaction { () throws(StoreError) -> Int in
            let count = try database.run(
                "UPDATE tokens SET revoked = ? WHERE user = ? AND revoked IS NULL", [.integer(now), .text(user)])
            if count > 0 { try bumpRevocationStamp() }
            if let auditActor {
                try insertAudit(time: now, actor: auditActor, action: "token.revoke_user", target: user,
                                details: "count=\(count)")
            }
            return count
        }
    }

    /// A counter raised by every revocation, from any process sharing the file.
    ///
    /// One indexed row read: a running hub polls it and re-checks its sessions only when it moved,
    /// which is how `hub token revoke` in another process reaches live connections.
    func revocationStamp() throws(StoreError) -> Int64 {
        let rows = try database.query("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revocation_stamp'")
        guard case .integer(let stamp) = rows.first?.first else { return 0 }
        return stamp
    }

    /// A health probe: takes the write lock (`BEGIN IMMEDIATE`, so a read-only or locked-out file
    /// fails), reads the revocation stamp, and rolls back: nothing is written.
    func writeProbe() throws(StoreError) -> Int64 {
        try database.execute("BEGIN IMMEDIATE")
        defer { try? database.execute("ROLLBACK") }
        return try revocationStamp()
    }

    /// Whether some admin token is unrevoked and unexpired at `now`.
    func hasActiveAdminToken(now: Int64 = TokenStore.now()) throws(StoreError) -> Bool {
        let rows = try database.query(
            "SELECT 1 FROM tokens WHERE kind = 'admin' AND revoked IS NULL AND (expires IS NULL OR expires > ?) LIMIT 1",
            [.integer(now)])
        return !rows.isEmpty
    }

    /// On a store with no active admin token, issues one (user `admin`, no expiry) and returns its
    /// secret for the hub to print once at start; otherwise nil.
    func ensureAdminToken(now: Int64 = TokenStore.now()) throws(StoreError) -> String? {
        // Checked and created under one write lock, so two hubs starting together mint one token.
        try database.transaction { () throws(StoreError) -> String? in
            guard try !hasActiveAdminToken(now: now) else { return nil }
            let minted = try mint(user: "admin", kind: .admin, ttl: nil, now: now)
            try insertAudit(time: now, actor: "hub", action: "token.create", target: minted.info.id,
                            details: TokenStore.details(minted.info) + " first-run")
            return minted.secret
        }
    }

    // MARK: Audit

    /// Appends an audit row.
    func audit(actor: String?, action: String, target: String?, details: String?, now: Int64 = TokenStore.now()) throws(StoreError) {
        try insertAudit(time: now, actor: actor, action: action, target: target, details: details)
    }

    /// The newest `limit` audit rows, newest first.
    func recentAudit(limit: Int = 100) throws(StoreError) -> [AuditEntry] {
        let statement = try database.prepare(
            "SELECT id, time, actor, action, target, details FROM audit ORDER BY id DESC LIMIT ?")
        try statement.bind(Int64(max(0, limit)), at: 1)
        var entries: [AuditEntry] = []
        while try statement.step() {
            entries.append(AuditEntry(id: statement.int64(0), time: statement.int64(1), actor: statement.string(2),
                                      action: statement.string(3) ?? "", target: statement.string(4),
                                      details: statement.string(5)))
        }
        return entries
    }

    // MARK: Helpers

    /// Makes a secret and id and inserts the token and its user; the caller holds a transaction.
    private func mint(user: String, kind: TokenKind, ttl: Int64?, now: Int64) throws(StoreError) -> (info: TokenInfo, secret: String) {
        guard let secretBytes = Crypto.randomBytes(32), let idBytes = Crypto.randomBytes(12) else {
            throw .randomUnavailable
        }
        let secret = TokenStore.secretPrefix + Base64URL.encode(secretBytes)
        let id = TokenStore.idPrefix + TokenStore.base32(idBytes)
        let expires = ttl.map { now + $0 }
        try database.run(
            "INSERT INTO users(id, created, metadata) VALUES(?, ?, NULL) ON CONFLICT(id) DO NOTHING",
            [.text(user), .integer(now)])
        try database.run(
            "INSERT INTO tokens(id, hash, user, kind, created, expires, revoked) VALUES(?, ?, ?, ?, ?, ?, NULL)",
            [.text(id), .blob(Crypto.sha256(secret.utf8)), .text(user), .text(kind.rawValue), .integer(now),
             expires.map { .integer($0) } ?? .null])
        return (TokenInfo(id: id, user: user, kind: kind, created: now, expires: expires, revoked: nil), secret)
    }

    /// The audit detail of a new token.
    private static func details(_ info: TokenInfo) -> String {
        "user=\(info.user) kind=\(info.kind.rawValue) expires=\(info.expires.map(String.init) ?? "-")"
    }

    private func insertAudit(time: Int64, actor: String?, action: String, target: String?, details: String?) throws(StoreError) {
        try database.run(
            "INSERT INTO audit(time, actor, action, target, details) VALUES(?, ?, ?, ?, ?)",
            [.integer(time), actor.map { .text($0) } ?? .null, .text(action), target.map { .text($0) } ?? .null,
             details.map { .text($0) } ?? .null])
    }

    private func bumpRevocationStamp() throws(StoreError) {
        try database.run(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revocation_stamp'")
    }

    private static let selectColumns = "SELECT id, user, kind, created, expires, revoked FROM tokens"

    /// The `TokenInfo` of the current row of a `selectColumns` query (nil for an unknown kind).
    private static func info(_ statement: SQLiteStatement) -> TokenInfo? {
        guard let id = statement.string(0), let user = statement.string(1),
              let kind = statement.string(2).flatMap(TokenKind.init(rawValue:))
        else { return nil }
        return TokenInfo(id: id, user: user, kind: kind, created: statement.int64(3),
                         expires: statement.optionalInt64(4), revoked: statement.optionalInt64(5))
    }

    /// User ids appear in `hub token list` columns and in topics (`user.<id>`): printable, no
    /// spaces, 1...128 bytes.
    static func validate(user: String) throws(StoreError) {
        guard !user.isEmpty, user.utf8.count <= 128 else {
            throw .invalidArgument("a user id must be 1 to 128 bytes long")
        }
        guard !user.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw .invalidArgument("a user id must not contain spaces or control characters: \"\(user)\"") }
    }

    /// Lower-case RFC 4648 base32 letters, one per byte (256 is a multiple of 32: no bias).
    private static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        return String(decoding: bytes.map { alphabet[Int($0 & 31)] }, as: UTF8.self)
    }
}

/// The hub's one owner of its SQLite database: tokens, users, the audit log (ARCHITECTURE.md
/// decision 7), and later mailboxes and history.
///
/// An actor at coarse grain: the session layer awaits it once per authentication, not per
/// message. Its executor is a private serial dispatch queue (`StoreExecutor`), so blocking file
/// I/O happens off the cooperative pool. Every method forwards to the synchronous `TokenStore`,
/// which `hub token` also uses directly in its own process.
actor Store {
    private let executor: StoreExecutor
    private let tokens: TokenStore

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The database file.
    nonisolated let path: String

    private init(tokens: TokenStore, path: String) {
        self.executor = StoreExecutor(label: "hub.store")
        self.tokens = tokens
        self.path = path
    }

    /// Opens `<dataDir>/hub.sqlite` (creating the directory and file if needed) and migrates it.
    ///
    /// Blocks the calling thread for the open and migrations; call it at start-up, before the
    /// event loops run, or from a thread that may block.
    /// - Throws: `StoreError` naming the file and the cause: a directory that cannot be created, a
    ///   file that is not a database, a schema newer than this hub, an unwritable file.
    static func open(dataDir: String) throws(StoreError) -> Store {
        try open(path: TokenStore.databasePath(dataDir: dataDir))
    }

    /// Opens and migrates the database file at `path`.
    static func open(path: String) throws(StoreError) -> Store {
        Store(tokens: try TokenStore.open(path: path), path: path)
    }

    /// The current wall-clock time in Unix seconds.
    static func now() -> Int64 { TokenStore.now() }

    // MARK: Tokens

    /// Issues a token and returns its secret, once; see `TokenStore.createToken`.
    func createToken(
        user: String, kind: TokenKind, ttl: Int64? = nil, now: Int64 = Store.now(), auditActor: String? = nil
    ) throws(StoreError) -> (info: TokenInfo, secret: String) {
        try tokens.createToken(user: user, kind: kind, ttl: ttl, now: now, auditActor: auditActor)
    }

    /// Checks a presented secret: `.valid`, `.unknown`, `.expired` or `.revoked`.
    func verify(secret: String, now: Int64 = Store.now()) throws(StoreError) -> TokenVerdict {
        try tokens.verify(secret: secret, now: now)
    }

    /// Every token, oldest first, without secrets (revoked and expired ones included).
    func listTokens() throws(StoreError) -> [TokenInfo] {
        try tokens.listTokens()
    }

    /// Revokes the token with this secret or id; returns how many were revoked (0 or 1).
    func revoke(secretOrID: String, now: Int64 = Store.now(), auditActor: String? = nil) throws(StoreError) -> Int {
        try tokens.revoke(secretOrID: secretOrID, now: now, auditActor: auditActor)
    }

    /// Revokes every active token of `user`; returns how many.
    func revokeUser(_ user: String, now: Int64 = Store.now(), auditActor: String? = nil) throws(StoreError) -> Int {
        try tokens.revokeUser(user, now: now, auditActor: auditActor)
    }

    /// The revocation counter; when it changes, some token was revoked (by any process).
    func revocationStamp() throws(StoreError) -> Int64 {
        try tokens.revocationStamp()
    }

    /// Whether an unrevoked, unexpired admin token exists.
    func hasActiveAdminToken(now: Int64 = Store.now()) throws(StoreError) -> Bool {
        try tokens.hasActiveAdminToken(now: now)
    }

    /// On first run (no active admin token), a new admin token's secret to print once; else nil.
    func ensureAdminToken(now: Int64 = Store.now()) throws(StoreError) -> String? {
        try tokens.ensureAdminToken(now: now)
    }

    /// Runs `body` on the store's queue with its `TokenStore`, for work the methods above do not
    /// cover (several steps in one hop, a future table); `body` must not keep the `TokenStore`.
    func withTokenStore<T: Sendable>(_ body: @Sendable (TokenStore) throws(StoreError) -> T) throws(StoreError) -> T {
        try body(tokens)
    }

    // MARK: Maintenance

    /// Copies what the write-ahead log holds back into the database file without waiting for
    /// readers or writers (`PRAGMA wal_checkpoint(PASSIVE)`), so the WAL does not grow without
    /// end while readers keep it busy; the `sqlite_wal_checkpoint` task calls it every minute.
    /// - Returns: whether a writer kept it from finishing, the frames in the log, and how many
    ///   of them are now in the database file.
    func checkpointWAL() throws(StoreError) -> (busy: Bool, logFrames: Int, checkpointed: Int) {
        let row = try tokens.database.query("PRAGMA wal_checkpoint(PASSIVE)").first ?? []
        func int(_ i: Int) -> Int {
            guard i < row.count, case .integer(let v) = row[i] else { return 0 }
            return Int(v)
        }
        return (int(0) != 0, int(1), int(2))
    }

    // MARK: Audit

    /// Appends an audit row.
    func audit(actor: String?, action: String, target: String? = nil, details: String? = nil, now: Int64 = Store.now()) throws(StoreError) {
        try tokens.audit(actor: actor, action: action, target: target, details: details, now: now)
    }

    /// The newest `limit` audit rows, newest first.
    func recentAudit(limit: Int = 100) throws(StoreError) -> [AuditEntry] {
        try tokens.recentAudit(limit: limit)
    }
}

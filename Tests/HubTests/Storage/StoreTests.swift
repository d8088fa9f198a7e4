import CSQLite
import Foundation
import Glibc
import Testing
@testable import Hub

/// The `Store` actor and its `TokenStore` over real SQLite files in per-test directories.
@Suite struct StoreTests {
    // MARK: Opening and migrations

    @Test func freshFileIsMigratedAndReopenIsIdempotent() async throws {
        let dir = TestDirectory()
        let dataDir = dir.file("nested/data")
        do {
            let store = try Store.open(dataDir: dataDir)
            #expect(store.path == dataDir + "/hub.sqlite")
            #expect(try await store.listTokens().isEmpty)
            #expect(try await store.revocationStamp() == 0)
        }
        for _ in 0..<2 {
            let tokens = try TokenStore.open(dataDir: dataDir)
            #expect(try StoreSchema.version(of: tokens.database) == StoreSchema.currentVersion)
            #expect(try tokens.database.query("SELECT count(*) FROM schema_version") == [[.integer(1)]])
            let tables = try tokens.database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            #expect(tables == ["audit", "mailbox", "meta", "schema_version", "sqlite_sequence", "tokens", "users"].map { [.text($0)] })
            #expect(try tokens.database.query("PRAGMA journal_mode") == [[.text("wal")]])
            #expect(try tokens.database.query("PRAGMA foreign_keys") == [[.integer(1)]])
            #expect(try tokens.database.query("SELECT key, value FROM meta") == [[.text("revocation_stamp"), .text("0")]])
        }
    }

    @Test func newerSchemaIsRefusedWithAClearError() throws {
        let dir = TestDirectory()
        do {
            let tokens = try TokenStore.open(dataDir: dir.path)
            try tokens.database.run("UPDATE schema_version SET version = 99")
        }
        let path = dir.file("hub.sqlite")
        #expect(throws: StoreError.newerSchema(path: path, found: 99, supported: StoreSchema.currentVersion)) {
            try Store.open(dataDir: dir.path)
        }
        let message = "\(StoreError.newerSchema(path: path, found: 99, supported: 1))"
        #expect(message.contains("schema version 99, newer than this hub knows (1)"), "\(message)")
        // Refusing must not have touched the file.
        let tokens = try SQLiteDatabase(path: path)
        #expect(try StoreSchema.version(of: tokens) == 99)
    }

    @Test func failedMigrationIsRolledBackWhole() throws {
        let dir = TestDirectory()
        // Another program's SQLite file with a clashing table: step 1 fails half way through.
        do {
            let foreign = try SQLiteDatabase(path: dir.file("hub.sqlite"))
            try foreign.execute("CREATE TABLE audit(x INTEGER)")
        }
        do {
            _ = try Store.open(dataDir: dir.path)
            Issue.record("opened a store whose migration failed")
        } catch {
            guard case .migrationFailed(_, let version, let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(version == 1)
            #expect(message.contains("table audit already exists"), "\(message)")
        }
        let database = try SQLiteDatabase(path: dir.file("hub.sqlite"))
        let tables = try database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        #expect(tables == [[.text("audit")]], "users/tokens of the failed step must be rolled back")
    }

    @Test(arguments: ["text", "noise"])
    func corruptFileIsRefused(kind: String) throws {
        let contents = kind == "text"
            ? Array("this is a text file, not a database\n".utf8) : Array(repeating: UInt8(0xA5), count: 8192)
        let dir = TestDirectory()
        #expect(FileManager.default.createFile(atPath: dir.file("hub.sqlite"), contents: Data(contents)))
        do {
            _ = try Store.open(dataDir: dir.path)
            Issue.record("opened a corrupt file")
        } catch {
            guard case .notADatabase(let path, let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(path == dir.file("hub.sqlite"))
            #expect(message.contains("not a database"), "\(message)")
            #expect("\(error)".contains("is not a usable hub database"))
        }
        // The file is left as it was for the operator to inspect.
        #expect(FileManager.default.contents(atPath: dir.file("hub.sqlite")).map { [UInt8]($0) } == contents)
    }

    @Test func unwritableDataDirIsRefused() throws {
        let dir = TestDirectory()
        // A regular file where a directory should be stops even root (tests may run as root).
        #expect(FileManager.default.createFile(atPath: dir.file("plain"), contents: Data("x".utf8)))
        #expect(throws: StoreError.cannotCreateDirectory(
            path: dir.file("plain/data"), reason: "\(dir.file("plain")) exists and is not a directory")) {
            try Store.open(dataDir: dir.file("plain/data"))
        }
        // A directory where the database file should be.
        try FileManager.default.createDirectory(atPath: dir.file("d/hub.sqlite"), withIntermediateDirectories: true)
        do {
            _ = try Store.open(dataDir: dir.file("d"))
            Issue.record("opened a directory as a database")
        } catch {
            guard case .cannotOpen(let path, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(path == dir.file("d/hub.sqlite"))
        }
    }

    // Root ignores file modes, so this runs only as another user.
    @Test(.enabled(if: geteuid() != 0)) func readOnlyDatabaseIsRefused() throws {
        let dir = TestDirectory()
        _ = try TokenStore.open(dataDir: dir.path)
        chmod(dir.file("hub.sqlite"), 0o444)
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o755) }
        #expect(throws: StoreError.self) { try Store.open(dataDir: dir.path) }
    }

    // MARK: Tokens

    @Test func createdTokenVerifies() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let (info, secret) = try await store.createToken(user: "bob", kind: .user, now: 1000)
        #expect(secret.hasPrefix("hub_"))
        #expect(secret.count == 4 + 43)
        #expect(Base64URL.decode(secret.dropFirst(4))?.count == 32)
        #expect(info.id.hasPrefix("tok_"))
        #expect(info.id.count == 16)
        #expect(info.id.dropFirst(4).allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        #expect(info == TokenInfo(id: info.id, user: "bob", kind: .user, created: 1000, expires: nil, revoked: nil))
        #expect(try await store.verify(secret: secret, now: 5_000_000_000) == .valid(info))
        let users = try TokenStore.open(dataDir: dir.path).database.query("SELECT id, created FROM users")
        #expect(users == [[.text("bob"), .integer(1000)]])
    }

    @Test func secretsAreDistinct() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        var secrets: Set<String> = []
        var ids: Set<String> = []
        for _ in 0..<20 {
            let (info, secret) = try await store.createToken(user: "bob", kind: .api)
            secrets.insert(secret)
            ids.insert(info.id)
        }
        #expect(secrets.count == 20 && ids.count == 20)
    }

    @Test func expiredTokenIsRefused() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let (info, secret) = try await store.createToken(user: "bob", kind: .user, ttl: 60, now: 1000)
        #expect(info.expires == 1060)
        #expect(try await store.verify(secret: secret, now: 1059) == .valid(info))
        #expect(try await store.verify(secret: secret, now: 1060) == .expired)
        #expect(try await store.verify(secret: secret, now: 9999) == .expired)
    }

    @Test func unknownSecretsAreUnknown() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let (info, secret) = try await store.createToken(user: "bob", kind: .user)
        #expect(try await store.verify(secret: "hub_" + String(repeating: "A", count: 43)) == .unknown)
        #expect(try await store.verify(secret: String(secret.dropLast()) + "x") == .unknown)
        #expect(try await store.verify(secret: "") == .unknown)
        // The public id is not a secret.
        #expect(try await store.verify(secret: info.id) == .unknown)
    }

    @Test func invalidArgumentsAreRefused() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        for user in ["", "has space", "tab\tbed", String(repeating: "u", count: 129)] {
            await #expect(throws: StoreError.self) { try await store.createToken(user: user, kind: .user) }
        }
        await #expect(throws: StoreError.self) { try await store.createToken(user: "bob", kind: .user, ttl: 0) }
        #expect(try await store.listTokens().isEmpty)
    }

    @Test func onlyTheHashIsStored() async throws {
        let dir = TestDirectory()
        var secrets: [String] = []
        do {
            let store = try Store.open(dataDir: dir.path)
            for kind in TokenKind.allCases {
                secrets.append(try await store.createToken(user: "bob", kind: kind, auditActor: "test").secret)
            }
            _ = try await store.revoke(secretOrID: secrets[0], auditActor: "test")
        }
        let database = try SQLiteDatabase(path: dir.file("hub.sqlite"))
        let rows = try database.query("SELECT hash FROM tokens ORDER BY rowid")
        #expect(rows == secrets.map { [.blob(Crypto.sha256($0.utf8))] })
        let bytes = dir.databaseBytes()
        #expect(bytes.count > 0)
        for secret in secrets {
            #expect(!contains(bytes, Array(secret.utf8)), "secret found in the file")
            #expect(!contains(bytes, Array(secret.utf8.dropFirst(4))), "secret body found in the file")
            #expect(!contains(bytes, Base64URL.decode(secret.dropFirst(4))!), "secret bytes found in the file")
        }
        // The check can find things: the hashes are there.
        #expect(contains(bytes, Crypto.sha256(secrets[1].utf8)))
        let audit = try database.query("SELECT actor, action, target, details FROM audit").flatMap { $0 }
        #expect(!audit.contains { "\($0)".contains("hub_") })
    }

    @Test func listNeverShowsSecrets() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let a = try await store.createToken(user: "alice", kind: .admin, now: 100)
        let b = try await store.createToken(user: "bob", kind: .user, ttl: 10, now: 200)
        let listed = try await store.listTokens()
        #expect(listed == [a.info, b.info])
        let text = "\(listed)"
        #expect(!text.contains(a.secret) && !text.contains(b.secret))
    }

    @Test func revokeBySecretByIDAndByUser() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let one = try await store.createToken(user: "bob", kind: .user)
        let two = try await store.createToken(user: "bob", kind: .user)
        let three = try await store.createToken(user: "bob", kind: .api)
        let carol = try await store.createToken(user: "carol", kind: .user)
        #expect(try await store.revocationStamp() == 0)

        #expect(try await store.revoke(secretOrID: one.secret, now: 500) == 1)
        #expect(try await store.verify(secret: one.secret) == .revoked)
        #expect(try await store.revocationStamp() == 1)
        // Again: nothing left to revoke, and the stamp stays.
        #expect(try await store.revoke(secretOrID: one.secret) == 0)
        #expect(try await store.revoke(secretOrID: one.info.id) == 0)
        #expect(try await store.revocationStamp() == 1)

        #expect(try await store.revoke(secretOrID: two.info.id) == 1)
        #expect(try await store.verify(secret: two.secret) == .revoked)
        #expect(try await store.revocationStamp() == 2)
        #expect(try await store.revoke(secretOrID: "tok_nosuchtoken0") == 0)

        #expect(try await store.revokeUser("bob") == 1)
        #expect(try await store.verify(secret: three.secret) == .revoked)
        #expect(try await store.revokeUser("bob") == 0)
        #expect(try await store.revocationStamp() == 3)
        guard case .valid = try await store.verify(secret: carol.secret) else {
            Issue.record("carol's token was revoked too")
            return
        }
        let listed = try await store.listTokens()
        #expect(listed.first { $0.id == one.info.id }?.revoked == 500)
        #expect(listed.first { $0.id == carol.info.id }?.revoked == nil)
    }

    @Test func revocationWinsOverExpiry() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let token = try await store.createToken(user: "bob", kind: .user, ttl: 5, now: 100)
        #expect(try await store.revoke(secretOrID: token.info.id, now: 101) == 1)
        #expect(try await store.verify(secret: token.secret, now: 200) == .revoked)
    }

    @Test func revocationStampIsSeenAcrossConnections() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let token = try await store.createToken(user: "bob", kind: .user)
        // Another connection stands in for `hub token revoke` in another process.
        let other = try TokenStore.open(dataDir: dir.path)
        #expect(try other.revoke(secretOrID: token.info.id, auditActor: "cli") == 1)
        #expect(try await store.revocationStamp() == 1)
        #expect(try await store.verify(secret: token.secret) == .revoked)
    }

    @Test func aRestartKeepsTokensValid() async throws {
        let dir = TestDirectory()
        let created: (info: TokenInfo, secret: String)
        let revoked: (info: TokenInfo, secret: String)
        do {
            let store = try Store.open(dataDir: dir.path)
            created = try await store.createToken(user: "bob", kind: .admin, ttl: 3600, now: Store.now())
            revoked = try await store.createToken(user: "eve", kind: .user)
            _ = try await store.revoke(secretOrID: revoked.secret)
        }
        let reopened = try Store.open(dataDir: dir.path)
        #expect(try await reopened.verify(secret: created.secret) == .valid(created.info))
        #expect(try await reopened.verify(secret: revoked.secret) == .revoked)
        #expect(try await reopened.revocationStamp() == 1)
        #expect(try await reopened.listTokens().count == 2)
    }

    @Test func ensureAdminTokenOnlyWhenNoActiveAdmin() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        #expect(try await store.hasActiveAdminToken() == false)
        let secret = try #require(try await store.ensureAdminToken())
        guard case .valid(let info) = try await store.verify(secret: secret) else {
            Issue.record("first-run admin token does not verify")
            return
        }
        #expect(info.kind == .admin && info.user == "admin" && info.expires == nil)
        #expect(try await store.hasActiveAdminToken())
        #expect(try await store.ensureAdminToken() == nil)
        #expect(try await store.recentAudit(limit: 1).first?.actor == "hub")

        // Revoked or expired admins do not count; a user token never does.
        _ = try await store.revoke(secretOrID: secret)
        _ = try await store.createToken(user: "root", kind: .admin, ttl: 10, now: 100)
        _ = try await store.createToken(user: "bob", kind: .user)
        #expect(try await store.hasActiveAdminToken() == false)
        #expect(try await store.ensureAdminToken() != nil)
        #expect(try await store.ensureAdminToken() == nil)
    }

    @Test func auditRowsAreKeptNewestFirst() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let token = try await store.createToken(user: "bob", kind: .user, now: 10, auditActor: "cli")
        _ = try await store.revoke(secretOrID: token.secret, now: 11, auditActor: "cli")
        _ = try await store.revokeUser("bob", now: 12, auditActor: "cli")
        try await store.audit(actor: nil, action: "test.note", target: "x", details: nil, now: 13)
        let entries = try await store.recentAudit(limit: 10)
        #expect(entries.map(\.action) == ["test.note", "token.revoke_user", "token.revoke", "token.create"])
        #expect(entries.map(\.time) == [13, 12, 11, 10])
        #expect(entries[1].target == "bob" && entries[1].details == "count=0")
        #expect(entries[2].target == token.info.id && entries[2].details == "count=1 by=secret")
        #expect(entries[3].target == token.info.id && entries[3].actor == "cli")
        #expect(entries[3].details == "user=bob kind=user expires=-")
        #expect(entries[0].actor == nil)
        #expect(try await store.recentAudit(limit: 2).count == 2)
    }

    @Test func storeRunsOffTheCooperativePool() async throws {
        let dir = TestDirectory()
        // More stores than the cooperative pool has threads (one per core) each block inside a
        // job at the same time. On the pool at most its width of them could ever be running at
        // once, whatever else the test process does; on their own queues all of them arrive.
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let stores = try (0..<count).map { _ in try Store.open(dataDir: dir.path) }
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let jobs = stores.map { store in
            Task {
                try await store.withTokenStore { (tokens: TokenStore) throws(StoreError) -> Int in
                    arrived.signal()
                    release.wait()
                    return try tokens.listTokens().count
                }
            }
        }
        // Wait on a dispatch thread, keeping this task's pool thread free for starting the jobs.
        let all = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = DispatchTime.now() + 20
                var all = true
                for _ in 0..<count where arrived.wait(timeout: deadline) == .timedOut { all = false }
                for _ in 0..<count { release.signal() }
                continuation.resume(returning: all)
            }
        }
        for job in jobs { #expect(try await job.value == 0) }
        #expect(all, "store jobs did not all run at once: they are waiting for pool threads")
    }

    @Test func blockedWritersWaitForTheLockInsteadOfFailing() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let other = try SQLiteDatabase(path: dir.file("hub.sqlite"))
        try other.execute("BEGIN IMMEDIATE")
        let write = Task { try await store.createToken(user: "bob", kind: .user) }
        // Blocking sleep: no pool task is needed to let the commit happen.
        usleep(300_000)
        try other.execute("COMMIT")
        _ = try await write.value
        #expect(try await store.listTokens().count == 1)
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while let start = haystack[index...].firstIndex(of: first) {
            if start + needle.count > haystack.count { return false }
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            index = start + 1
        }
        return false
    }
}

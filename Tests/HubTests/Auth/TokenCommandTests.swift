import Foundation
import Testing
@testable import Hub

/// `hub token …` end to end: the built binary as a subprocess on a per-test data directory.
@Suite struct TokenCommandTests {
    /// Runs `hub token` with `arguments` and `--data-dir`.
    func hub(_ arguments: [String], dataDir: String) throws -> HubProcess.Result {
        try HubProcess.run(["token"] + arguments + ["--data-dir", dataDir], timeout: 15)
    }

    static let iso = #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"#

    @Test func createPrintsOnlyTheSecretAndListHidesIt() throws {
        let dir = TestDirectory()
        let created = try hub(["create", "--user", "alice", "--admin", "--ttl", "3600"], dataDir: dir.path)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .newlines)
        #expect(created.stdout == secret + "\n")
        #expect(secret.hasPrefix("hub_") && secret.count == 47)
        let info = created.stderr.trimmingCharacters(in: .newlines)
        #expect(info.wholeMatch(of: try Regex(#"created tok_[a-z2-7]{12} user=alice kind=admin expires="# + Self.iso)) != nil,
                "\(info)")
        #expect(!created.stderr.contains(secret))

        let user = try hub(["create", "--user", "bob"], dataDir: dir.path)
        #expect(user.status == 0)
        #expect(user.stderr.hasSuffix("user=bob kind=user expires=-"), "\(user.stderr)")
        let api = try hub(["create", "--user", "svc", "--api"], dataDir: dir.path)
        #expect(api.stderr.contains("kind=api"))

        let listed = try hub(["list"], dataDir: dir.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let pattern = try Regex(#"tok_[a-z2-7]{12} (alice admin|bob user|svc api) "# + Self.iso + " (" + Self.iso + "|-)")
        for line in lines { #expect(line.wholeMatch(of: pattern) != nil, "\(line)") }
        #expect(lines[0].hasPrefix(String(info.dropFirst("created ".count).prefix(16))))
        #expect(lines[1].hasSuffix(" -"))
        for output in [listed.stdout, listed.stderr] {
            #expect(!output.contains(secret) && !output.contains("hub_"))
        }

        // The printed secret is the one the store accepts.
        let store = try TokenStore.open(dataDir: dir.path)
        guard case .valid(let token) = try store.verify(secret: secret) else {
            Issue.record("the printed secret does not verify")
            return
        }
        #expect(token.kind == .admin && token.user == "alice" && token.expires == token.created + 3600)
        let audit = try store.recentAudit()
        #expect(audit.count == 3 && audit.allSatisfy { $0.actor == "cli" && $0.action == "token.create" })
    }

    @Test func revokeBySecretIDAndUser() throws {
        let dir = TestDirectory()
        var secrets: [String] = []
        for user in ["bob", "bob", "bob", "carol"] {
            let run = try hub(["create", "--user", user], dataDir: dir.path)
            #expect(run.status == 0)
            secrets.append(run.stdout.trimmingCharacters(in: .newlines))
        }
        let store = try TokenStore.open(dataDir: dir.path)
        let ids = try store.listTokens().map(\.id)

        let bySecret = try hub(["revoke", secrets[0]], dataDir: dir.path)
        #expect(bySecret.status == 0 && bySecret.stdout == "revoked 1 token\n", "\(bySecret)")
        #expect(try store.verify(secret: secrets[0]) == .revoked)
        let byID = try hub(["revoke", try #require(try store.listTokens().first { $0.revoked == nil && $0.user == "bob" }).id],
                           dataDir: dir.path)
        #expect(byID.stdout == "revoked 1 token\n")
        let again = try hub(["revoke", secrets[0]], dataDir: dir.path)
        #expect(again.status == 0 && again.stdout == "revoked 0 tokens\n")
        let byUser = try hub(["revoke", "--user", "bob"], dataDir: dir.path)
        #expect(byUser.status == 0 && byUser.stdout == "revoked 1 token\n")
        for secret in secrets.prefix(3) { #expect(try store.verify(secret: secret) == .revoked) }
        guard case .valid = try store.verify(secret: secrets[3]) else {
            Issue.record("carol's token was revoked")
            return
        }
        #expect(try store.revocationStamp() == 3)

        let listed = try hub(["list"], dataDir: dir.path)
        #expect(listed.stdout.split(separator: "\n").count == 1 && listed.stdout.contains(" carol "))
        let all = try hub(["list", "--all"], dataDir: dir.path)
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.filter { $0.contains(" revoked=") }.count == 3)
        #expect(Set(lines.map { String($0.prefix(16)) }) == Set(ids))
        let actions = try store.recentAudit().map(\.action)
        #expect(actions.prefix(4) == ["token.revoke_user", "token.revoke", "token.revoke", "token.revoke"])
        #expect(try store.recentAudit().allSatisfy { $0.actor == "cli" && !($0.target ?? "").contains("hub_") })
    }

    @Test func worksWhileAStoreIsOpenInAnotherProcess() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        let mine = try await store.createToken(user: "hubside", kind: .user)
        let run = try hub(["create", "--user", "cliside"], dataDir: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let secret = run.stdout.trimmingCharacters(in: .newlines)
        guard case .valid(let info) = try await store.verify(secret: secret) else {
            Issue.record("the open store does not see the CLI's token")
            return
        }
        #expect(info.user == "cliside")
        #expect(try await store.listTokens().count == 2)

        // A revocation from the CLI reaches the running store through the stamp.
        let before = try await store.revocationStamp()
        #expect(try hub(["revoke", mine.info.id], dataDir: dir.path).stdout == "revoked 1 token\n")
        #expect(try await store.revocationStamp() == before + 1)
        #expect(try await store.verify(secret: mine.secret) == .revoked)
    }

    @Test func waitsForAnotherWriterInsteadOfFailing() throws {
        let dir = TestDirectory()
        _ = try TokenStore.open(dataDir: dir.path)
        let holder = try SQLiteDatabase(path: dir.file("hub.sqlite"))
        try holder.execute("BEGIN IMMEDIATE")
        let process = try HubProcess(["token", "create", "--user", "patient", "--data-dir", dir.path])
        usleep(400_000)
        try holder.execute("COMMIT")
        let result = try process.finish(timeout: 15)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("hub_"))
    }

    @Test func dataDirComesFromTheEnvironmentLikeTheDaemon() throws {
        let dir = TestDirectory()
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUB_") }
        environment["HUB_DATA_DIR"] = dir.file("from-env")
        let process = try ChildProcess(HubProcess.executableURL.path, ["token", "create", "--user", "env"],
                                       environment: environment, stdout: .pipe, stderr: .null)
        let secret = String(decoding: ChildProcess.readToEnd(process.stdoutFD), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let store = try TokenStore.open(dataDir: dir.file("from-env"))
        guard case .valid = try store.verify(secret: secret.trimmingCharacters(in: .newlines)) else {
            Issue.record("no token in $HUB_DATA_DIR/hub.sqlite")
            return
        }
    }

    @Test(arguments: [
        ["create"], ["create", "--user"], ["create", "--user", "x", "--admin", "--api"],
        ["create", "--user", "x", "--ttl", "0"], ["create", "--user", "x", "--ttl", "soon"],
        ["create", "--user", "x", "extra"], ["create", "--user", "x", "--frob"], ["list", "extra"],
        ["revoke"], ["revoke", "a", "b"], ["revoke", "tok_x", "--user", "bob"], ["frob"],
    ])
    func usageErrorsExitWith2(arguments: [String]) throws {
        let dir = TestDirectory()
        let result = try hub(arguments, dataDir: dir.path)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("hub token: "), "\(result.stderr)")
    }

    @Test func bareTokenCommandIsAUsageError() throws {
        let result = try HubProcess.run(["token"], timeout: 15)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Usage: hub token"))
    }

    @Test func storeErrorsExitWith1() throws {
        let dir = TestDirectory()
        #expect(FileManager.default.createFile(atPath: dir.file("file"), contents: Data("x".utf8)))
        let result = try hub(["list"], dataDir: dir.file("file/data"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot create the data directory"), "\(result.stderr)")
        try FileManager.default.createDirectory(atPath: dir.file("bad"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir.file("bad/hub.sqlite"), contents: Data("junk junk".utf8)))
        let corrupt = try hub(["create", "--user", "x"], dataDir: dir.file("bad"))
        #expect(corrupt.status == 1 && corrupt.stdout.isEmpty)
        #expect(corrupt.stderr.contains("is not a usable hub database"), "\(corrupt.stderr)")
    }

    @Test func helpGoesToStdout() throws {
        for arguments in [["token", "--help"], ["token", "create", "-h"], ["token", "help"]] {
            let result = try HubProcess.run(arguments, timeout: 15)
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("Usage: hub token"))
            #expect(result.stdout.contains("revoke --user ID"))
        }
    }
}

import Foundation
import Testing
@testable import Hub

/// Tokens live in the store, not in the process: they survive a restart of the hub.
@Suite struct RestartTests {
    @Test func tokensStayValidAcrossARestart() async throws {
        let dir = TestDirectory()
        let (user, admin) = try await IdentityHub.run(dir: dir) { hub in
            let user = try hub.createToken(user: "alice")
            let admin = try hub.createToken(user: "root", kind: .admin)
            let (_, welcome) = try AuthClient.welcomed(port: hub.port, token: user)
            #expect(welcome.json["user"] as? String == "alice")
            return (user, admin)
        }
        // The first hub is shut down and its `Store` released with it (run kept the only
        // references); a new Store opens the same file for a new server.
        try await IdentityHub.run(dir: dir) { hub in
            let (_, welcome) = try AuthClient.welcomed(port: hub.port, token: user)
            #expect(welcome.json["user"] as? String == "alice")
            let (_, adminWelcome) = try AuthClient.welcomed(port: hub.port, path: "/ws/admin", token: admin, placement: .bearer)
            #expect(adminWelcome.json["user"] as? String == "root")
            // Revocations made before the restart stay in force as well.
            #expect(try hub.revoke(user) == 1)
        }
        try await IdentityHub.run(dir: dir) { hub in
            try AuthClient(port: hub.port, token: user).expectClose(reason: "token revoked")
        }
    }
}

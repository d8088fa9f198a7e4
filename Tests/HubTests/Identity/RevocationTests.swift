import Foundation
import Testing
@testable import Hub

/// Revoking a token ends its live connections: `hub token revoke` in another process bumps the
/// store's revocation stamp, the hub polls it every 0.5 s and re-checks its sessions' tokens.
@Suite struct RevocationTests {
    /// `hub token …` (the built binary) on the hub's data directory.
    static func cli(_ arguments: [String], dir: TestDirectory) throws -> HubProcess.Result {
        try HubProcess.run(["token"] + arguments + ["--data-dir", dir.path], timeout: 15)
    }

    /// Past the hub's first poll of the stamp (0.5 s after its start), so that what is seen is
    /// the stamp moving, not the first reading.
    static func pastFirstPoll() { Thread.sleep(forTimeInterval: 0.8) }

    @Test func revokeByTheCLIClosesTheLiveConnection() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            let other = try hub.createToken(user: "alice")
            let (client, _) = try AuthClient.welcomed(port: hub.port, token: token)
            let (bystander, _) = try AuthClient.welcomed(port: hub.port, token: other)
            #expect(try client.call(#"{"op":"ping","id":1}"#, id: 1).reply.result != nil)
            Self.pastFirstPoll()

            let revoked = try Self.cli(["revoke", token], dir: hub.dir)
            let start = DispatchTime.now()
            #expect(revoked.status == 0 && revoked.stdout == "revoked 1 token\n", "\(revoked)")
            try client.expectClose(reason: "token revoked", timeout: 5)
            let took = secondsSince(start)
            #expect(took < 2, "closed \(took) s after the revocation")

            // New connections with it are refused at once.
            let again = DispatchTime.now()
            try AuthClient(port: hub.port, token: token).expectClose(reason: "token revoked")
            #expect(secondsSince(again) < 1)
            // The user's other token is untouched.
            #expect(try bystander.call(#"{"op":"ping","id":2}"#, id: 2).reply.result != nil)
        }
    }

    @Test func revokeUserClosesEveryConnectionOfThatUser() async throws {
        try await IdentityHub.run { hub in
            let first = try hub.createToken(user: "bob")
            let second = try hub.createToken(user: "bob")
            let carol = try hub.createToken(user: "carol")
            let (b1, _) = try AuthClient.welcomed(port: hub.port, token: first)
            let (b2, _) = try AuthClient.welcomed(port: hub.port, token: second, placement: .bearer)
            let (c, _) = try AuthClient.welcomed(port: hub.port, token: carol)
            Self.pastFirstPoll()

            let revoked = try Self.cli(["revoke", "--user", "bob"], dir: hub.dir)
            let start = DispatchTime.now()
            #expect(revoked.status == 0 && revoked.stdout == "revoked 2 tokens\n", "\(revoked)")
            try b1.expectClose(reason: "token revoked", timeout: 5)
            try b2.expectClose(reason: "token revoked", timeout: 5)
            let took = secondsSince(start)
            #expect(took < 2, "closed \(took) s after the revocation")
            for token in [first, second] {
                try AuthClient(port: hub.port, token: token).expectClose(reason: "token revoked")
            }
            #expect(try c.call(#"{"op":"ping","id":1}"#, id: 1).reply.result != nil, "carol stays connected")
        }
    }

    /// A revocation that lands before the hub's first poll of the stamp (within 0.5 s of the
    /// start) still reaches the connections authenticated before it.
    @Test func revocationRightAfterStartIsNotMissed() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            let (client, _) = try AuthClient.welcomed(port: hub.port, token: token)
            #expect(try hub.revoke(token) == 1)
            let start = DispatchTime.now()
            try client.expectClose(reason: "token revoked", timeout: 5)
            #expect(secondsSince(start) < 2)
        }
    }

    /// Revocation reaches `/ws/admin` too.
    @Test func revokedAdminTokenClosesTheAdminConnection() async throws {
        try await IdentityHub.run({ $0.adminInterval = 0.2 }) { hub in
            let token = try hub.createToken(user: "root", kind: .admin)
            let (admin, _) = try AuthClient.welcomed(port: hub.port, path: "/ws/admin", token: token)
            Self.pastFirstPoll()
            let revoked = try Self.cli(["revoke", token], dir: hub.dir)
            #expect(revoked.status == 0, "\(revoked)")
            try admin.expectClose(reason: "token revoked", timeout: 5)
        }
    }
}

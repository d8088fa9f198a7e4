import Foundation
import Testing
@testable import Hub

/// Every refusal on `/ws/auth` completes the upgrade (a browser cannot read the status of a failed
/// handshake) and then closes with 4401 and a reason (PROTOCOL.md "Identity and operations").
@Suite struct AuthRejectionTests {
    @Test func missingTokenClosesAfterTheAuthTimeout() async throws {
        try await IdentityHub.run({ $0.authTimeout = 0.3 }) { hub in
            let start = DispatchTime.now()
            let client = try AuthClient(port: hub.port)
            let (close, before) = try client.readUntilClose(timeout: 5)
            let waited = secondsSince(start)
            #expect(before.isEmpty, "no welcome without a token: \(before)")
            #expect(close.closeCode == 4401)
            #expect(close.closeReason == "authentication timeout")
            #expect(waited >= 0.25, "closed after \(waited) s, before the 0.3 s auth timeout")
            #expect(waited < 4, "closed after \(waited) s: the configured 0.3 s, not the default 5 s")
        }
    }

    @Test func unknownTokenIsRefused() async throws {
        try await IdentityHub.run { hub in
            for placement in [TokenPlacement.query, .bearer] {
                try AuthClient(port: hub.port, token: "hub_not-a-real-token", placement: placement)
                    .expectClose(reason: "unknown token")
            }
            // Through the auth command, too.
            let client = try AuthClient(port: hub.port)
            try client.send(#"{"op":"auth","id":1,"token":"nonsense"}"#)
            try client.expectClose(reason: "unknown token")
        }
    }

    @Test func forgedJWTIsRefused() async throws {
        try await IdentityHub.run { hub in
            let forged = try IdentityHub.jwt(sub: "mallory", extra: ["admin": true], secret: "some-other-secret")
            try AuthClient(port: hub.port, token: forged).expectClose(reason: "bad token signature")
            // A valid token's payload swapped for another's keeps a signature that no longer fits.
            let real = try IdentityHub.jwt(sub: "alice").split(separator: ".")
            let other = try IdentityHub.jwt(sub: "root", extra: ["admin": true]).split(separator: ".")
            let spliced = [real[0], other[1], real[2]].joined(separator: ".")
            try AuthClient(port: hub.port, token: spliced).expectClose(reason: "bad token signature")
        }
    }

    @Test func expiredJWTIsRefusedBeyondTheLeeway() async throws {
        try await IdentityHub.run({ $0.jwtLeeway = 30 }) { hub in
            let expired = try IdentityHub.jwt(sub: "alice", expiresIn: -60)
            try AuthClient(port: hub.port, token: expired).expectClose(reason: "token expired")
            // Within the leeway it is still accepted.
            let lenient = try IdentityHub.jwt(sub: "alice", expiresIn: -5)
            let (client, welcome) = try AuthClient.welcomed(port: hub.port, token: lenient)
            #expect(welcome.json["user"] as? String == "alice")
            // Accepted means usable: the session does not end at once for the expiry the
            // verifier forgave.
            #expect(try client.call(#"{"op":"ping","id":1}"#, id: 1).reply.result != nil)
            #expect(try client.nextIfAny(timeout: 1.2) == nil)
        }
    }

    @Test func notYetValidJWTIsRefusedBeyondTheLeeway() async throws {
        try await IdentityHub.run({ $0.jwtLeeway = 30 }) { hub in
            let early = try IdentityHub.jwt(sub: "alice", extra: ["nbf": Store.now() + 120])
            try AuthClient(port: hub.port, token: early).expectClose(reason: "token not yet valid")
            let lenient = try IdentityHub.jwt(sub: "alice", extra: ["nbf": Store.now() + 5])
            let (_, welcome) = try AuthClient.welcomed(port: hub.port, token: lenient)
            #expect(welcome.json["user"] as? String == "alice")
        }
    }

    @Test func revokedStoredTokenIsRefused() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            #expect(try hub.revoke(token) == 1)
            try AuthClient(port: hub.port, token: token).expectClose(reason: "token revoked")
            let client = try AuthClient(port: hub.port)
            try client.send(#"{"op":"auth","id":1,"token":\#(jsonString(token))}"#)
            try client.expectClose(reason: "token revoked")
        }
    }

    @Test func expiredStoredTokenIsRefused() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice", ttl: 1)
            Thread.sleep(forTimeInterval: 1.5)
            try AuthClient(port: hub.port, token: token, placement: .bearer).expectClose(reason: "token expired")
        }
    }

    /// Before a token is known, every command but `auth` gets `unauthorized`, and the connection
    /// stays open (an `auth` then still works).
    @Test func commandsBeforeAuthAreUnauthorizedWithoutClosing() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            let client = try AuthClient(port: hub.port)
            let commands = [
                #"{"op":"ping","id":1}"#,
                #"{"op":"subscribe","id":2,"topic":"public.a"}"#,
                #"{"op":"publish","id":3,"topic":"public.a","data":1}"#,
                #"{"op":"presence","id":4,"topic":"public.a"}"#,
                #"{"op":"history","id":5,"topic":"public.a"}"#,
                #"{"op":"admin","id":6,"action":"connections"}"#,
            ]
            for (i, command) in commands.enumerated() {
                let (reply, before) = try client.call(command, id: i + 1)
                #expect(reply.errorCode == "unauthorized", "\(command) → \(reply)")
                #expect(before.isEmpty, "\(before)")
            }
            // Without an id the error still comes, also without closing.
            try client.send(#"{"op":"ping"}"#)
            let bare = try client.next()
            #expect(bare.errorCode == "unauthorized" && bare.id == nil, "\(bare)")

            let auth = try client.result(#"{"op":"auth","id":9,"token":\#(jsonString(token))}"#, id: 9)
            #expect(auth["user"] as? String == "alice")
            let welcome = try client.next()
            #expect(welcome.json["op"] as? String == "welcome")
            let (pong, _) = try client.call(#"{"op":"ping","id":10}"#, id: 10)
            #expect(pong.text == #"{"id":10,"result":{}}"#)
        }
    }
}

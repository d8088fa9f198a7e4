import Foundation
import Testing
@testable import Hub

/// A token's expiry ends the live connection with 4401, unless an `auth` with a fresh token
/// refreshed it first.
@Suite struct TokenExpiryTests {
    @Test func expiryClosesTheConnection() async throws {
        try await IdentityHub.run({ $0.jwtLeeway = 0 }) { hub in
            let exp = Store.now() + 3
            let jwt = try JWT.sign(claims: ["sub": "alice", "exp": exp], secret: Array(IdentityHub.jwtSecret.utf8))
            let (client, welcome) = try AuthClient.welcomed(port: hub.port, token: jwt)
            #expect(welcome.json["user"] as? String == "alice")
            #expect(try client.call(#"{"op":"ping","id":1}"#, id: 1).reply.result != nil)
            try client.expectClose(reason: "token expired", timeout: 8)
            let now = Store.now()
            #expect(now >= exp, "closed at \(now), before the expiry \(exp)")
            #expect(now <= exp + 4, "closed at \(now), long after the expiry \(exp)")
        }
    }

    /// A JWT the verifier accepted within the leeway lasts until `exp` plus the leeway.
    @Test func jwtWithinTheLeewayClosesWhenTheLeewayRunsOut() async throws {
        try await IdentityHub.run({ $0.jwtLeeway = 3 }) { hub in
            let exp = Store.now() - 1
            let jwt = try JWT.sign(claims: ["sub": "alice", "exp": exp], secret: Array(IdentityHub.jwtSecret.utf8))
            let (client, _) = try AuthClient.welcomed(port: hub.port, token: jwt)
            #expect(try client.call(#"{"op":"ping","id":1}"#, id: 1).reply.result != nil)
            try client.expectClose(reason: "token expired", timeout: 8)
            let now = Store.now()
            #expect(now >= exp + 3 && now <= exp + 6, "closed at \(now), exp \(exp), leeway 3 s")
        }
    }

    @Test func storedTokenExpiryClosesTheConnection() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice", ttl: 3)
            let (client, _) = try AuthClient.welcomed(port: hub.port, token: token)
            try client.expectClose(reason: "token expired", timeout: 8)
        }
    }

    @Test func authWithAFreshTokenRefreshes() async throws {
        try await IdentityHub.run({ $0.jwtLeeway = 0 }) { hub in
            let secret = Array(IdentityHub.jwtSecret.utf8)
            let soon = Store.now() + 3
            let (client, _) = try AuthClient.welcomed(
                port: hub.port, token: try JWT.sign(claims: ["sub": "alice", "exp": soon], secret: secret))
            let later = Store.now() + 120
            let fresh = try JWT.sign(claims: ["sub": "alice", "exp": later], secret: secret)
            let refreshed = try client.result(#"{"op":"auth","id":1,"token":\#(jsonString(fresh))}"#, id: 1)
            #expect(refreshed["user"] as? String == "alice")
            #expect(refreshed["expires"] as? Int == Int(later))
            // No second welcome, and no close past the first token's expiry.
            while Store.now() < soon + 1 {
                if let m = try client.nextIfAny(timeout: 0.5) { Issue.record("unexpected \(m)") }
            }
            #expect(try client.call(#"{"op":"ping","id":2}"#, id: 2).reply.result != nil)
            // A token of another user does not switch identities.
            let bob = try JWT.sign(claims: ["sub": "bob", "exp": later], secret: secret)
            #expect(try client.errorCode(#"{"op":"auth","id":3,"token":\#(jsonString(bob))}"#, id: 3) == "forbidden")
            #expect(try client.call(#"{"op":"ping","id":4}"#, id: 4).reply.result != nil)
        }
    }
}

import Foundation
import Testing
@testable import Hub

/// A good token on `/ws/auth`, in each of the three places it may come: the welcome push names
/// the user, at once with a handshake token, after the `auth` reply otherwise.
@Suite struct AuthSuccessTests {
    @Test func tokenInTheQueryGetsTheWelcomeAtOnce() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            let (client, welcome) = try AuthClient.welcomed(port: hub.port, token: token, placement: .query)
            #expect(welcome.json["user"] as? String == "alice", "\(welcome)")
            #expect((welcome.json["client"] as? String)?.hasPrefix("c-") == true)
            let (pong, before) = try client.call(#"{"op":"ping","id":1}"#, id: 1)
            #expect(pong.result != nil && before.isEmpty, "\(pong) after \(before)")
        }
    }

    @Test func tokenInTheAuthorizationHeaderGetsTheWelcomeAtOnce() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "bob")
            let (_, welcome) = try AuthClient.welcomed(port: hub.port, token: token, placement: .bearer)
            #expect(welcome.json["user"] as? String == "bob", "\(welcome)")
            // A JWT works there as well.
            let jwt = try IdentityHub.jwt(sub: "carol")
            let (_, jwtWelcome) = try AuthClient.welcomed(port: hub.port, token: jwt, placement: .bearer)
            #expect(jwtWelcome.json["user"] as? String == "carol", "\(jwtWelcome)")
        }
    }

    /// Without a token in the handshake nothing comes until the `auth` command; then its reply
    /// `{user, expires}` and only after it the welcome.
    @Test func authCommandRepliesThenWelcomes() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice", ttl: 3600)
            let client = try AuthClient(port: hub.port)
            #expect(try client.nextIfAny(timeout: 0.3) == nil, "nothing before a token is known")
            try client.send(#"{"op":"auth","id":1,"token":\#(jsonString(token))}"#)
            let reply = try client.next()
            #expect(reply.id == 1, "the reply comes first, got \(reply)")
            let result = try #require(reply.result, "\(reply)")
            #expect(Set(result.keys) == ["user", "expires"])
            #expect(result["user"] as? String == "alice")
            let expires = try #require(result["expires"] as? Int, "\(result)")
            #expect(abs(Int64(expires) - (Store.now() + 3600)) <= 5)
            let welcome = try client.next()
            #expect(welcome.json["op"] as? String == "welcome", "then the welcome, got \(welcome)")
            #expect(welcome.json["user"] as? String == "alice")

            // A token without expiry answers `expires: null`; a JWT its `exp`.
            let forever = try hub.createToken(user: "bob")
            let c2 = try AuthClient(port: hub.port)
            let r2 = try c2.result(#"{"op":"auth","id":7,"token":\#(jsonString(forever))}"#, id: 7)
            #expect(r2["user"] as? String == "bob" && r2["expires"] is NSNull, "\(r2)")
            #expect(try c2.next().json["user"] as? String == "bob")
            let exp = Store.now() + 600
            let jwt = try JWT.sign(claims: ["sub": "carol", "exp": exp], secret: Array(IdentityHub.jwtSecret.utf8))
            let c3 = try AuthClient(port: hub.port)
            let r3 = try c3.result(#"{"op":"auth","id":8,"token":\#(jsonString(jwt))}"#, id: 8)
            #expect(r3["user"] as? String == "carol" && r3["expires"] as? Int == Int(exp), "\(r3)")
        }
    }

    /// The identity shows in presence.
    @Test func presenceListsTheUser() async throws {
        try await IdentityHub.run { hub in
            let token = try hub.createToken(user: "alice")
            let (alice, welcome) = try AuthClient.welcomed(port: hub.port, token: token)
            try alice.result(#"{"op":"subscribe","id":1,"topic":"public.room"}"#, id: 1)
            let observer = try V1Client(port: hub.port)
            let presence = try observer.result(#"{"op":"presence","id":2,"topic":"public.room"}"#, id: 2)
            let clients = try #require(presence["clients"] as? [[String: Any]], "\(presence)")
            #expect(clients.count == 1)
            #expect(clients.first?["user"] as? String == "alice")
            #expect(clients.first?["client"] as? String == welcome.json["client"] as? String)
        }
    }
}

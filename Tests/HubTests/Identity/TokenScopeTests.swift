import Broadcast
import Foundation
import Testing
@testable import Hub

/// What an identity may use: `user.<id>` is its user's alone (and only the server publishes
/// there); a JWT's `topics` claim narrows the namespaces' rules.
@Suite struct TokenScopeTests {
    @Test func userTopicsArePrivate() async throws {
        try await IdentityHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let own = try alice.result(#"{"op":"subscribe","id":1,"topic":"user.alice"}"#, id: 1)
            #expect(own["topic"] as? String == "user.alice")
            #expect(try alice.errorCode(#"{"op":"subscribe","id":2,"topic":"user.bob"}"#, id: 2) == "forbidden")
            #expect(try alice.errorCode(#"{"op":"history","id":3,"topic":"user.bob"}"#, id: 3) == "forbidden")
            // The server publishes on user.<id>, not the user.
            #expect(try alice.errorCode(#"{"op":"publish","id":4,"topic":"user.alice","data":1}"#, id: 4) == "forbidden")
            #expect(try alice.errorCode(#"{"op":"publish","id":5,"topic":"user.bob","data":1}"#, id: 5) == "forbidden")
            // Still open after the refusals.
            #expect(try alice.call(#"{"op":"ping","id":6}"#, id: 6).reply.result != nil)

            // An anonymous client may not read anyone's user topic.
            let anonymous = try V1Client(port: hub.port)
            let (reply, _) = try anonymous.call(#"{"op":"subscribe","id":1,"topic":"user.alice"}"#, id: 1)
            #expect(reply.errorCode == "forbidden", "\(reply)")
        }
    }

    @Test func aDottedUserIDsTopicsAreNotAPrefixsSubTopics() async throws {
        try await IdentityHub.run { hub in
            // User ids may contain dots: `user.ann.b` is user `ann.b`'s, not a sub-topic of `ann`.
            let (ann, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "ann"))
            let (annB, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "ann.b"))
            for (i, topic) in ["user.ann.b", "mirror.ann.b"].enumerated() {
                #expect(try ann.errorCode(#"{"op":"subscribe","id":\#(i + 1),"topic":"\#(topic)"}"#, id: i + 1) == "forbidden", "\(topic)")
                let own = try annB.result(#"{"op":"subscribe","id":\#(i + 1),"topic":"\#(topic)"}"#, id: i + 1)
                #expect(own["topic"] as? String == topic)
            }
            #expect(try ann.result(#"{"op":"subscribe","id":9,"topic":"mirror.ann"}"#, id: 9)["topic"] as? String == "mirror.ann")
        }
    }

    @Test func topicsClaimRestrictsAJWT() async throws {
        try await IdentityHub.run({ c in
            c.namespaces.rules["chat"] = NamespaceRules(subscribe: .authenticated, publish: .authenticated)
        }) { hub in
            let restricted = try IdentityHub.jwt(sub: "alice", extra: ["topics": ["chat.*"]])
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: restricted)
            let ok = try alice.result(#"{"op":"subscribe","id":1,"topic":"chat.x"}"#, id: 1)
            #expect(ok["topic"] as? String == "chat.x")
            #expect(try alice.publish("chat.x", id: 2) != nil)
            // public.* is open to anyone, but not to this token.
            #expect(try alice.errorCode(#"{"op":"subscribe","id":3,"topic":"public.x"}"#, id: 3) == "forbidden")
            #expect(try alice.errorCode(#"{"op":"publish","id":4,"topic":"public.x","data":1}"#, id: 4) == "forbidden")
            #expect(try alice.errorCode(#"{"op":"subscribe","id":5,"topic":"user.alice"}"#, id: 5) == "forbidden")

            // The same user without the claim may use public.x.
            let (free, _) = try AuthClient.welcomed(port: hub.port, token: try IdentityHub.jwt(sub: "alice"))
            #expect(try free.result(#"{"op":"subscribe","id":1,"topic":"public.x"}"#, id: 1)["topic"] as? String == "public.x")
        }
    }
}

extension AuthClient {
    /// Publishes `1` on `topic`; the offset, or nil when refused.
    func publish(_ topic: String, id: Int) throws -> Int? {
        try call(#"{"op":"publish","id":\#(id),"topic":"\#(topic)","data":1}"#, id: id).reply.result?["offset"] as? Int
    }
}

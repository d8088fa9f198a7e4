import Foundation
import Testing
@testable import Hub

/// The welcome push every `/ws` client gets on open (PROTOCOL.md "Pushes").
@Suite struct V1WelcomeTests {
    @Test func welcomeCarriesClientNullUserNodeAndPingInterval() async throws {
        try await TestServer.runOnThread({ c in
            c.node = "node-under-test"
            c.pingInterval = 17
        }) { server in
            let client = try V1Client(port: server.port)
            let w = client.welcome.json
            #expect(Set(w.keys) == ["op", "client", "user", "node", "ping"])
            #expect(w["op"] as? String == "welcome")
            #expect(w["user"] is NSNull, "anonymous user must be null: \(client.welcome)")
            #expect(client.welcome.text.contains(#""user":null"#))
            #expect(w["node"] as? String == "node-under-test")
            #expect(w["ping"] as? Int == 17)
            #expect(client.clientID.hasPrefix("c-"))
            // Nothing else is pushed unasked: the next message is the answer to a ping.
            let (reply, before) = try client.call(#"{"op":"ping","id":1}"#, id: 1)
            #expect(before.isEmpty, "\(before)")
            #expect(reply.text == #"{"id":1,"result":{}}"#)
        }
    }

    @Test func defaultNodeAndPingAndDistinctClientIDs() async throws {
        try await TestServer.runOnThread { server in
            let a = try V1Client(port: server.port)
            let b = try V1Client(port: server.port)
            #expect(a.welcome.json["node"] as? String == server.node)
            #expect(server.node.hasPrefix("hub-"))
            #expect(a.welcome.json["ping"] as? Int == 25)
            #expect(a.clientID != b.clientID)
            #expect(b.welcome.json["node"] as? String == server.node)
        }
    }
}

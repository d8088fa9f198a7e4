import Foundation
import Testing
@testable import Hub

/// `{"op":"admin",…}` on `/ws/admin`: `connections`, `topics`, `kick`; refused to everyone else.
@Suite struct AdminCommandTests {
    /// An admin connection, with its snapshots slowed down so replies are not buried.
    static func admin(_ hub: IdentityHub) throws -> AuthClient {
        try AuthClient.welcomed(port: hub.port, path: "/ws/admin", token: try hub.createToken(user: "root", kind: .admin)).client
    }

    @Test func connectionsListsAKnownClient() async throws {
        try await IdentityHub.run({ $0.adminInterval = 0.2 }) { hub in
            let (alice, welcome) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            try alice.result(#"{"op":"subscribe","id":1,"topic":"public.a"}"#, id: 1)
            let id = try #require(welcome.json["client"] as? String)
            let admin = try Self.admin(hub)
            let result = try admin.result(#"{"op":"admin","id":1,"action":"connections"}"#, id: 1)
            let list = try #require(result["connections"] as? [[String: Any]], "\(result)")
            #expect(result["count"] as? Int == list.count)
            let entry = try #require(list.first { $0["client"] as? String == id }, "\(id) not in \(list)")
            #expect(entry["user"] as? String == "alice")
            #expect(entry["endpoint"] as? String == "ws_auth")
            #expect((entry["address"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(entry)")
            #expect((entry["age_s"] as? Int).map { $0 >= 0 && $0 < 60 } == true, "\(entry)")
            #expect((entry["bytes_in"] as? Int ?? 0) > 0 && (entry["bytes_out"] as? Int ?? 0) > 0, "\(entry)")
            #expect(entry["topics"] as? Int == 2, "public.a and user.alice (subscribed without asking on /ws/auth)")
            // The admin connection itself is there too.
            #expect(list.contains { $0["endpoint"] as? String == "ws_admin" && $0["user"] as? String == "root" })
        }
    }

    @Test func topicsListsSubscriberCounts() async throws {
        try await IdentityHub.run { hub in
            let a = try V1Client(port: hub.port), b = try V1Client(port: hub.port)
            try a.subscribe("public.counted", id: 1)
            try b.subscribe("public.counted", id: 1)
            let admin = try Self.admin(hub)
            let result = try admin.result(#"{"op":"admin","id":2,"action":"topics"}"#, id: 2)
            let topics = try #require(result["topics"] as? [[String: Any]], "\(result)")
            let counted = try #require(topics.first { $0["topic"] as? String == "public.counted" }, "\(topics)")
            #expect(counted["subscribers"] as? Int == 2)
            #expect(result["count"] is Int)
        }
    }

    @Test func kickClosesTheClientWith4403() async throws {
        try await IdentityHub.run { hub in
            let (alice, welcome) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let id = try #require(welcome.json["client"] as? String)
            let admin = try Self.admin(hub)
            let kicked = try admin.result(#"{"op":"admin","id":3,"action":"kick","args":{"client":"\#(id)"}}"#, id: 3)
            #expect(kicked["kicked"] as? Bool == true && kicked["client"] as? String == id, "\(kicked)")
            let (close, _) = try alice.readUntilClose(timeout: 5)
            #expect(close.closeCode == 4403, "\(close)")
            #expect(close.closeReason == "kicked by an operator")
            // The client answers the close as a browser would; then it is gone from the list and
            // a second kick finds nobody.
            try alice.ws.sendClose(code: 4403)
            var listed = true
            for attempt in 0..<20 where listed {
                let result = try admin.result(#"{"op":"admin","id":\#(10 + attempt),"action":"connections"}"#, id: 10 + attempt)
                let list = try #require(result["connections"] as? [[String: Any]])
                listed = list.contains { $0["client"] as? String == id }
                if listed { Thread.sleep(forTimeInterval: 0.1) }
            }
            #expect(!listed, "\(id) still listed 2 s after its close handshake")
            let again = try admin.result(#"{"op":"admin","id":4,"action":"kick","args":{"client":"\#(id)"}}"#, id: 4)
            #expect(again["kicked"] as? Bool == false, "\(again)")
            // The kick is in the audit log, naming the operator and the client (once).
            let store = hub.store
            var kicks: [AuditEntry] = []
            for _ in 0..<20 where kicks.isEmpty {
                kicks = try hub.wait { try await store.recentAudit(limit: 50) }.filter { $0.action == "kick" }
                if kicks.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
            }
            #expect(kicks.count == 1, "\(kicks)")
            #expect(kicks.first?.target == id)
            #expect(kicks.first?.actor == "root")
        }
    }

    @Test func nonAdminIdentitiesAreForbidden() async throws {
        try await IdentityHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let anonymous = try V1Client(port: hub.port)
            for action in ["connections", "topics"] {
                let command = #"{"op":"admin","id":1,"action":"\#(action)"}"#
                #expect(try alice.errorCode(command, id: 1) == "forbidden")
                #expect(try anonymous.call(command, id: 1).reply.errorCode == "forbidden")
            }
            let kick = #"{"op":"admin","id":2,"action":"kick","args":{"client":"\#(anonymous.clientID)"}}"#
            #expect(try alice.errorCode(kick, id: 2) == "forbidden")
            // Nobody was kicked.
            #expect(try anonymous.call(#"{"op":"ping","id":3}"#, id: 3).reply.result != nil)
            // An admin JWT on /ws/auth is an admin identity there too.
            let (ops, _) = try AuthClient.welcomed(port: hub.port, token: try IdentityHub.jwt(sub: "ops", extra: ["admin": true]))
            #expect(try ops.result(#"{"op":"admin","id":4,"action":"topics"}"#, id: 4)["topics"] != nil)
        }
    }
}

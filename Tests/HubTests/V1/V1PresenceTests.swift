import Broadcast
import Foundation
import Testing
@testable import Hub

/// Presence on a `presence: true` namespace: join and leave events to every subscriber, and the
/// `presence` command (PROTOCOL.md "Precise semantics").
@Suite struct V1PresenceTests {
    static func namespaces(_ c: inout HubConfig) {
        c.namespaces = Namespaces([
            "public": NamespaceRules(),
            "room": NamespaceRules(presence: true),
            "quiet": NamespaceRules(presence: false),
        ])
    }

    static func event(_ kind: String, _ topic: String, _ client: String) -> String {
        #"{"topic":"\#(topic)","event":"\#(kind)","client":"\#(client)","user":null}"#
    }

    /// The next presence events of `c` until `count` have come (publications are not expected).
    static func events(_ c: V1Client, _ count: Int) throws -> [String] {
        var got: [String] = []
        while got.count < count { got.append(try c.next().text) }
        return got
    }

    @Test func joinsLeavesAndTheMemberList() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let topic = "room.lobby"
            let a = try V1Client(port: server.port)
            let b = try V1Client(port: server.port)
            try a.subscribe(topic, id: 1)
            #expect(try Self.events(a, 1) == [Self.event("join", topic, a.clientID)], "the subscriber is told of its own join")
            try b.subscribe(topic, id: 1)
            #expect(try Self.events(b, 1) == [Self.event("join", topic, b.clientID)])
            #expect(try Self.events(a, 1) == [Self.event("join", topic, b.clientID)], "every subscriber gets the join")

            let (list, _) = try a.call(#"{"op":"presence","id":2,"topic":"\#(topic)"}"#, id: 2)
            let result = try #require(list.result, "\(list)")
            #expect(Set(result.keys) == ["clients", "count"])
            #expect(result["count"] as? Int == 2)
            let clients = try #require(result["clients"] as? [[String: Any]])
            #expect(Set(clients.compactMap { $0["client"] as? String }) == [a.clientID, b.clientID])
            for entry in clients {
                #expect(Set(entry.keys) == ["client", "user"])
                #expect(entry["user"] is NSNull)
            }

            // Unsubscribing is a leave for the others.
            _ = try b.result(#"{"op":"unsubscribe","id":3,"topic":"\#(topic)"}"#, id: 3)
            #expect(try Self.events(a, 1) == [Self.event("leave", topic, b.clientID)])
            let (one, _) = try a.call(#"{"op":"presence","id":4,"topic":"\#(topic)"}"#, id: 4)
            #expect(one.text == #"{"id":4,"result":{"clients":[{"client":"\#(a.clientID)","user":null}],"count":1}}"#)
            #expect(try b.nextIfAny(timeout: 0.2) == nil, "an unsubscribed client gets no events")

            // So is hanging up.
            let c = try V1Client(port: server.port)
            try c.subscribe(topic, id: 1)
            #expect(try Self.events(a, 1) == [Self.event("join", topic, c.clientID)])
            c.ws.socket.close()
            #expect(try Self.events(a, 1) == [Self.event("leave", topic, c.clientID)])

            // Anyone who may subscribe may ask, subscribed or not.
            let (asked, _) = try b.call(#"{"op":"presence","id":5,"topic":"\#(topic)"}"#, id: 5)
            #expect(asked.result?["count"] as? Int == 1)
            let (empty, _) = try b.call(#"{"op":"presence","id":6,"topic":"room.empty"}"#, id: 6)
            #expect(empty.text == #"{"id":6,"result":{"clients":[],"count":0}}"#)
        }
    }

    /// With presence off no join reaches the other subscriber: its next push is the publication
    /// (on one loop, the shard's events for a topic arrive in the order it made them).
    @Test func noEventsWherePresenceIsOff() async throws {
        try await TestServer.runOnThread({ c in
            Self.namespaces(&c)
            c.loops = 1
        }) { server in
            let a = try V1Client(port: server.port)
            try a.subscribe("quiet.x", id: 1)
            let b = try V1Client(port: server.port)
            try b.subscribe("quiet.x", id: 1)
            try b.publish("quiet.x", data: "1", id: 2)
            let next = try a.next()
            #expect(next.isPublication, "\(next)")
            #expect(try a.nextIfAny(timeout: 0.2) == nil)
            b.ws.socket.close()
            #expect(try a.nextIfAny(timeout: 0.3) == nil, "no leave either")
        }
    }
}

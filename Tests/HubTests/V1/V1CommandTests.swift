import Foundation
import Testing
@testable import Hub

/// The commands of protocol v1 on `/ws` and their replies, by id, with the result shapes of
/// PROTOCOL.md "Commands" and "Precise semantics".
@Suite struct V1CommandTests {
    @Test func subscribeReportsEpochAndLatestOffset() async throws {
        try await TestServer.runOnThread { server in
            let a = try V1Client(port: server.port)
            let fresh = try a.subscribe("public.sub", id: 1)
            #expect(Set(fresh.keys) == ["topic", "epoch", "offset"])
            #expect(fresh["topic"] as? String == "public.sub")
            #expect(fresh["offset"] as? Int == 0, "a new topic has offset 0")
            let epoch = try #require(fresh["epoch"] as? String)
            #expect(!epoch.isEmpty)

            let b = try V1Client(port: server.port)
            for i in 1...3 { #expect(try b.publish("public.sub", data: "\(i)", id: i) == i) }
            let later = try b.subscribe("public.sub", id: 4)
            #expect(later["offset"] as? Int == 3, "the offset of the latest publication")
            #expect(later["epoch"] as? String == epoch, "same stream, same epoch")
        }
    }

    @Test func publishOffsetsIncreaseByOne() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            for i in 1...5 {
                let (reply, before) = try c.call(#"{"op":"publish","id":\#(10 + i),"topic":"public.count","data":{"i":\#(i)}}"#, id: 10 + i)
                #expect(before.isEmpty, "not subscribed: nothing but the reply, got \(before)")
                #expect(reply.text == #"{"id":\#(10 + i),"result":{"offset":\#(i)}}"#)
            }
            // Another topic has its own stream.
            #expect(try c.publish("public.other", data: "null", id: 20) == 1)
        }
    }

    @Test func unsubscribeRepliesEmptyAlsoWhenNotSubscribed() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            let (never, _) = try c.call(#"{"op":"unsubscribe","id":1,"topic":"public.never"}"#, id: 1)
            #expect(never.text == #"{"id":1,"result":{}}"#)

            try c.subscribe("public.u", id: 2)
            let (reply, _) = try c.call(#"{"op":"unsubscribe","id":3,"topic":"public.u"}"#, id: 3)
            #expect(reply.text == #"{"id":3,"result":{}}"#)
            // Unsubscribed: a publication on the topic no longer reaches this client.
            let (pub, before) = try c.call(#"{"op":"publish","id":4,"topic":"public.u","data":1}"#, id: 4)
            #expect(pub.result?["offset"] as? Int == 1)
            #expect(before.isEmpty, "\(before)")
            #expect(try c.nextIfAny(timeout: 0.2) == nil)
        }
    }

    @Test func pingRepliesEmptyResult() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            let (reply, _) = try c.call(#"{"op":"ping","id":9007199254740991}"#, id: 9_007_199_254_740_991)
            #expect(reply.text == #"{"id":9007199254740991,"result":{}}"#)
        }
    }

    /// A command without id gets no reply when it succeeds: the next message is the reply to the
    /// following command that has one.
    @Test func commandsWithoutIDGetNoReply() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            try c.send(#"{"op":"ping"}"#)
            try c.send(#"{"op":"subscribe","topic":"public.quiet"}"#)
            try c.send(#"{"op":"unsubscribe","topic":"public.none"}"#)
            try c.send(#"{"op":"history","topic":"public.quiet"}"#)
            try c.send(#"{"op":"presence","topic":"public.quiet"}"#)
            let (reply, before) = try c.call(#"{"op":"ping","id":1}"#, id: 1)
            #expect(reply.text == #"{"id":1,"result":{}}"#)
            // The presence join of this client is a push, not a reply; nothing else may be there.
            #expect(before.allSatisfy { $0.event == "join" && $0.id == nil }, "\(before)")
            #expect(before.count <= 1)

            // The subscription without id took effect, and a publish without id replies nothing:
            // only the push comes. A history read goes to the same shard after the publish, so
            // its reply comes after everything the publish caused.
            try c.send(#"{"op":"publish","topic":"public.quiet","data":"x"}"#)
            let (history, pushes) = try c.call(#"{"op":"history","id":2,"topic":"public.quiet"}"#, id: 2)
            #expect(history.result?["offset"] as? Int == 1)
            #expect(pushes.filter { $0.event != "join" }.map(\.text)
                    == [#"{"topic":"public.quiet","offset":1,"from":{"client":"\#(c.clientID)","user":null},"data":"x"}"#])
            #expect(try c.nextIfAny(timeout: 0.2).map { $0.event == "join" } ?? true)
        }
    }

    /// A publisher subscribed to the topic receives its own publication, before the reply (both
    /// travel the same loop in the order the bus produced them).
    @Test func publisherReceivesItsOwnPublication() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            try c.subscribe("public.self", id: 1)
            _ = try c.nextIfAny(timeout: 0.5)  // its own presence join
            let (reply, before) = try c.call(#"{"op":"publish","id":2,"topic":"public.self","data":[1,2]}"#, id: 2)
            #expect(reply.result?["offset"] as? Int == 1)
            let pubs = before.filter(\.isPublication)
            #expect(pubs.count == 1, "\(before)")
            #expect(pubs.first?.text == #"{"topic":"public.self","offset":1,"from":{"client":"\#(c.clientID)","user":null},"data":[1,2]}"#)
        }
    }

    /// Subscribing twice is idempotent: one delivery per publication, the second reply still has
    /// the shape and the current offset.
    @Test func subscribingTwiceDeliversOnce() async throws {
        try await TestServer.runOnThread { server in
            let sub = try V1Client(port: server.port)
            let first = try sub.subscribe("public.twice", id: 1)
            let second = try sub.subscribe("public.twice", id: 2)
            #expect(second["epoch"] as? String == first["epoch"] as? String)
            #expect(second["offset"] as? Int == 0)

            let pub = try V1Client(port: server.port)
            for i in 1...3 { try pub.publish("public.twice", data: "\(i)", id: i) }
            try pub.send(#"{"op":"subscribe","id":4,"topic":"public.twice"}"#)
            _ = try pub.reply(id: 4)

            // The third subscribe reaches the shard after the publications and the publisher's
            // join, so everything they caused comes before its reply.
            let (third, before) = try sub.call(#"{"op":"subscribe","id":5,"topic":"public.twice"}"#, id: 5)
            #expect(before.filter(\.isPublication).map(\.offset) == [1, 2, 3])
            #expect(before.filter { $0.event == "join" }.map { $0.json["client"] as? String } == [sub.clientID, pub.clientID],
                    "one join for itself (not two), one for the publisher: \(before)")
            #expect(before.count == 5, "\(before)")
            #expect(third.result?["offset"] as? Int == 3)
            #expect(try sub.nextIfAny(timeout: 0.2) == nil, "a repeated subscribe replays and announces nothing")
        }
    }

    /// `data` is spliced byte for byte: whitespace, number spelling and escapes as the publisher
    /// wrote them.
    @Test func dataIsSplicedByteForByte() async throws {
        let samples = [
            #"{ "a" : [1, 2.50, "\u00e9\n"] }"#,
            "{\t\"k\" :\r\n [ 1e2 , -0.0,\"\\/\\\"\\\\\" ] , \"é\":true}",
            #""\ud83d\ude00 plain ü""#,
            "[  ]",
            "123.4500",
            "null",
        ]
        try await TestServer.runOnThread { server in
            let sub = try V1Client(port: server.port)
            try sub.subscribe("public.bytes", id: 1)
            let pub = try V1Client(port: server.port)
            for (i, data) in samples.enumerated() {
                try pub.publish("public.bytes", data: data, id: i + 1)
            }
            var got: [V1Message] = []
            let deadline = TestDeadline(seconds: 5)
            while got.count < samples.count, !deadline.hasPassed {
                let m = try sub.next(timeout: deadline.remaining)
                if m.isPublication { got.append(m) }
            }
            try #require(got.count == samples.count)
            for (i, data) in samples.enumerated() {
                #expect(got[i].rawData == data, "push \(got[i].text)")
                #expect(got[i].text.hasSuffix(#""data":"# + data + "}"))
                #expect(got[i].offset == i + 1)
            }
        }
    }
}

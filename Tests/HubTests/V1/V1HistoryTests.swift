import Broadcast
import Foundation
import Testing
@testable import Hub

/// The `history` command: ascending offsets, `limit` the newest N, `since` a position, entries in
/// the push shape with `data` byte for byte (PROTOCOL.md "Precise semantics").
@Suite struct V1HistoryTests {
    static func entry(_ topic: String, _ offset: Int) -> String {
        #"{"topic":"\#(topic)","offset":\#(offset),"data":{ "i" : \#(offset) }}"#
    }

    /// `publications` of a history reply, as the raw entries the hub wrote.
    static func rawEntries(_ reply: V1Message) -> String? {
        let t = reply.text
        guard let r = t.range(of: #""publications":["#), let end = t.range(of: "]}}", options: .backwards) else { return nil }
        return String(t[r.upperBound..<end.lowerBound])
    }

    @Test func limitSinceAndShapes() async throws {
        try await TestServer.runOnThread { server in
            let topic = "public.h"
            let c = try V1Client(port: server.port)
            let empty = try c.result(#"{"op":"history","id":1,"topic":"\#(topic)"}"#, id: 1)
            #expect(empty["offset"] as? Int == 0)
            #expect((empty["publications"] as? [Any])?.count == 0)

            for i in 1...10 { try c.publish(topic, data: #"{ "i" : \#(i) }"#, id: 100 + i) }

            let (all, _) = try c.call(#"{"op":"history","id":2,"topic":"\#(topic)"}"#, id: 2)
            let allResult = try #require(all.result)
            #expect(Set(allResult.keys) == ["epoch", "offset", "publications"])
            let epoch = try #require(allResult["epoch"] as? String)
            #expect(allResult["offset"] as? Int == 10)
            #expect(Self.rawEntries(all) == (1...10).map { Self.entry(topic, $0) }.joined(separator: ","))

            let (newest, _) = try c.call(#"{"op":"history","id":3,"topic":"\#(topic)","limit":3}"#, id: 3)
            #expect(Self.rawEntries(newest) == (8...10).map { Self.entry(topic, $0) }.joined(separator: ","))
            let list = try #require(newest.result?["publications"] as? [[String: Any]])
            #expect(list.map { $0["offset"] as? Int } == [8, 9, 10])
            for e in list {
                #expect(Set(e.keys) == ["topic", "offset", "data"])
                #expect(e["topic"] as? String == topic)
            }

            let (since, _) = try c.call(#"{"op":"history","id":4,"topic":"\#(topic)","since":{"epoch":\#(jsonString(epoch)),"offset":7}}"#, id: 4)
            #expect(Self.rawEntries(since) == (8...10).map { Self.entry(topic, $0) }.joined(separator: ","))
            let (sinceLimited, _) = try c.call(
                #"{"op":"history","id":5,"topic":"\#(topic)","since":{"epoch":\#(jsonString(epoch)),"offset":3},"limit":2}"#, id: 5)
            #expect(Self.rawEntries(sinceLimited) == (9...10).map { Self.entry(topic, $0) }.joined(separator: ","))
            let (sinceLatest, _) = try c.call(#"{"op":"history","id":6,"topic":"\#(topic)","since":{"epoch":\#(jsonString(epoch)),"offset":10}}"#, id: 6)
            #expect(Self.rawEntries(sinceLatest) == "")

            let (otherEpoch, _) = try c.call(#"{"op":"history","id":7,"topic":"\#(topic)","since":{"epoch":"not-\#(epoch)","offset":2}}"#, id: 7)
            #expect(otherEpoch.result?["epoch"] as? String == epoch, "the current epoch")
            #expect(otherEpoch.result?["offset"] as? Int == 10)
            #expect((otherEpoch.result?["publications"] as? [Any])?.isEmpty == true, "\(otherEpoch)")
        }
    }

    @Test func historyKeepsTheNamespacesRingSize() async throws {
        try await TestServer.runOnThread({ $0.namespaces = Namespaces(["public": NamespaceRules(), "small": NamespaceRules(historySize: 5)]) }) { server in
            let c = try V1Client(port: server.port)
            for i in 1...20 { try c.publish("small.h", data: #"{ "i" : \#(i) }"#, id: i) }
            let (h, _) = try c.call(#"{"op":"history","id":30,"topic":"small.h"}"#, id: 30)
            #expect(h.result?["offset"] as? Int == 20)
            #expect(Self.rawEntries(h) == (16...20).map { Self.entry("small.h", $0) }.joined(separator: ","))
        }
    }
}

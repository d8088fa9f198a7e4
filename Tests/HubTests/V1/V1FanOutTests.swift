import Broadcast
import Foundation
import Testing
@testable import Hub
import WSProtocol

/// Fan-out at scale: a thousand subscribers over two loops each get all of a thousand
/// publications, in order, once. The client sockets are driven from this one thread with
/// `poll(2)` (`TestPollGroup`).
@Suite struct V1FanOutTests {
    static let subscribers = 1000
    static let publications = 1000
    static let topic = "fan.big"

    /// The loop a client id was accepted on (`EventLoop.register`: the index is in the id's top bits).
    static func loopIndex(ofClient name: String) -> Int? {
        guard name.hasPrefix("c-"), let id = UInt64(name.dropFirst(2), radix: 36) else { return nil }
        return Int(id & 0xFF)  // the loop index is the id's low byte (EventLoop.register)
    }

    @Test func thousandSubscribersGetAllPublicationsInOrderOnce() async throws {
        _ = Socket.raiseFileLimit()
        try await TestServer.runOnThread({ c in
            c.loops = 2
            // Presence off: a join per subscriber to every subscriber would be a million pushes.
            c.namespaces = Namespaces(["fan": NamespaceRules(presence: false)])
        }) { server in
            let started = TestDeadline.now()
            var clients: [TestWebSocketClient] = []
            var loops: [Int: Int] = [:]
            for _ in 0..<Self.subscribers {
                let ws = try TestWebSocketClient(port: server.port, path: "/ws", timeout: 5)
                let welcome = try V1Message(raw: try ws.readFrame(timeout: 5).payload, compressed: false)
                let client = try #require(welcome.json["client"] as? String, "\(welcome)")
                loops[Self.loopIndex(ofClient: client) ?? -1, default: 0] += 1
                clients.append(ws)
            }
            #expect(loops.keys.sorted() == [0, 1], "subscribers on both loops: \(loops)")

            // Every subscribe in flight at once, then every reply.
            let group = TestPollGroup(clients)
            for ws in clients { try ws.sendText(#"{"op":"subscribe","id":1,"topic":"\#(Self.topic)"}"#) }
            var subscribed = [Bool](repeating: false, count: Self.subscribers)
            var subscribedCount = 0
            var badReplies: [String] = []
            let allSubscribed = try group.run(timeout: 20, until: { subscribedCount == Self.subscribers }) { i, frame in
                let text = String(decoding: frame.payload, as: UTF8.self)
                if frame.opcode == .text, text.hasPrefix(#"{"id":1,"result":{"topic":"\#(Self.topic)","epoch":"#),
                   text.hasSuffix(#","offset":0}}"#), !subscribed[i] {
                    subscribed[i] = true
                    subscribedCount += 1
                } else {
                    badReplies.append("client \(i): \(frame) \(text)")
                }
            }
            try #require(allSubscribed, "\(subscribedCount) of \(Self.subscribers) subscribed")
            try #require(badReplies.isEmpty, "\(badReplies.prefix(5))")

            let publisher = try V1Client(port: server.port)
            let expected: [[UInt8]] = (0...Self.publications).map { n in
                Array(#"{"topic":"\#(Self.topic)","offset":\#(n),"from":{"client":"\#(publisher.clientID)","user":null},"data":{"n":\#(n)}}"#.utf8)
            }
            for batch in stride(from: 1, through: Self.publications, by: 100) {
                try publisher.sendBatch((batch..<min(batch + 100, Self.publications + 1)).map {
                    #"{"op":"publish","id":\#($0),"topic":"\#(Self.topic)","data":{"n":\#($0)}}"#
                })
            }

            // Each subscriber's next expected offset; anything else is a loss, a duplicate or
            // a reordering, kept (the first few) for the failure message.
            var next = [Int](repeating: 1, count: Self.subscribers)
            var complete = 0
            var wrong: [String] = []
            var wrongCount = 0
            let allDelivered = try group.run(timeout: 40, pause: 0.005, until: { complete == Self.subscribers }) { i, frame in
                let n = next[i]
                if n <= Self.publications, frame.opcode == .text, !frame.rsv1, frame.payload == expected[n] {
                    next[i] = n + 1
                    if n == Self.publications { complete += 1 }
                } else {
                    wrongCount += 1
                    if wrong.count < 5 { wrong.append("client \(i) expected offset \(n), got \(frame) \(String(decoding: frame.payload.prefix(120), as: UTF8.self))") }
                }
            }
            let lagging = next.enumerated().filter { $0.element <= Self.publications }
            #expect(allDelivered, "\(complete) complete; first lagging: \(lagging.prefix(5).map { "client \($0.offset) at \($0.element)" })")
            #expect(wrongCount == 0, "\(wrongCount) unexpected frames: \(wrong)")
            // No duplicates after the last one either.
            let extra = try group.collect(for: 0.3)
            #expect(extra.isEmpty, "\(extra.count) frames after the last publication, e.g. \(extra.first.map { "\($0.1)" } ?? "")")
            #expect(group.closed.isEmpty, "\(group.closed.count) connections closed by the server")

            // The publisher got every offset, in order.
            var offsets: [Int] = []
            for _ in 1...Self.publications {
                let reply = try publisher.next(timeout: 10)
                offsets.append(reply.result?["offset"] as? Int ?? -1)
            }
            #expect(offsets == Array(1...Self.publications))
            #expect(server.metrics.deliveries.load(ordering: .relaxed) == Self.subscribers * Self.publications)
            #expect(TestDeadline.now() - started < 50)
        }
    }
}

import Broadcast
import Foundation
import Testing
@testable import Hub
import WSProtocol

/// A subscriber that stops reading is closed with 4408 once its outbound queue passes
/// `max_outbound_bytes`, while the others keep receiving everything (PROTOCOL.md "Default
/// limits").
@Suite struct V1SlowConsumerTests {
    static let topic = "stream.big"
    /// 1 KiB publications are sent until the hub gives up on the slow one, at most this many:
    /// before the hub's own queue grows, the kernel takes what it can, and on loopback a stalled
    /// socket's send buffer grows to `tcp_wmem`'s maximum (4 MiB by default), so ~2 MB is not
    /// always enough.
    static let maxMessages = 16384
    static let payload = String(repeating: "p", count: 1000)

    /// A burst bigger than the limit that reaches a loop in one go (here 100 publications of
    /// 1 KiB from one TCP write, against a 64 KiB limit) is not a slow consumer when the
    /// subscriber reads: the hub writes before it judges the queue.
    @Test func burstOverTheLimitIsNotASlowConsumer() async throws {
        try await TestServer.runOnThread({ c in
            c.loops = 1
            c.maxOutboundBytes = 64 * 1024
            c.namespaces = Namespaces(["stream": NamespaceRules(presence: false)])
        }) { server in
            let sub = try V1Client(port: server.port)
            try sub.subscribe(Self.topic, id: 1)
            let publisher = try V1Client(port: server.port)
            try publisher.sendBatch((1...100).map {
                #"{"op":"publish","topic":"\#(Self.topic)","data":{"n":\#($0),"p":"\#(Self.payload)"}}"#
            })
            for n in 1...100 {
                let m = try sub.next()
                try #require(m.offset == n, "\(m.text.prefix(80))")
            }
            #expect(server.metrics.slowConsumers.load(ordering: .relaxed) == 0)
        }
    }

    /// The same for a recovery: 100 missed publications of 1 KiB are queued at once, before the
    /// reply, for a client that reads them.
    @Test func recoveryReplayOverTheLimitIsNotASlowConsumer() async throws {
        try await TestServer.runOnThread({ c in
            c.maxOutboundBytes = 64 * 1024
            c.namespaces = Namespaces(["stream": NamespaceRules(historySize: 100, presence: false)])
        }) { server in
            let publisher = try V1Client(port: server.port)
            for n in 1...100 {
                try publisher.publish(Self.topic, data: #"{"n":\#(n),"p":"\#(Self.payload)"}"#, id: n)
            }
            let epoch = try #require(try publisher.result(#"{"op":"history","id":101,"topic":"\#(Self.topic)","limit":1}"#, id: 101)["epoch"] as? String)
            let sub = try V1Client(port: server.port)
            let (reply, before) = try sub.call(
                #"{"op":"subscribe","id":1,"topic":"\#(Self.topic)","recover":{"epoch":"\#(epoch)","offset":0}}"#, id: 1)
            #expect(reply.text.contains(#""recovered":true"#), "\(reply.text.prefix(200))")
            #expect(before.map(\.offset) == Array(1...100).map { Optional($0) })
            #expect(server.metrics.slowConsumers.load(ordering: .relaxed) == 0)
        }
    }

    @Test func stalledReaderGets4408AndOthersGetEverything() async throws {
        try await TestServer.runOnThread({ c in
            c.maxOutboundBytes = 64 * 1024
            c.namespaces = Namespaces(["stream": NamespaceRules(presence: false)])
            // The slow one reads its close frame only after the normal one has everything: the
            // hub must keep its socket that long.
            c.closeTimeout = 30
        }) { server in
            // The slow one: a small receive buffer, subscribed, then never read until the end.
            let slow = try V1Client(port: server.port, receiveBuffer: 4096)
            try slow.subscribe(Self.topic, id: 1)
            let normal = try V1Client(port: server.port)
            try normal.subscribe(Self.topic, id: 1)
            let publisher = try V1Client(port: server.port)

            func push(_ n: Int) -> [UInt8] {
                Array(#"{"topic":"\#(Self.topic)","offset":\#(n),"from":{"client":"\#(publisher.clientID)","user":null},"data":{"n":\#(n),"p":"\#(Self.payload)"}}"#.utf8)
            }

            // 1 KiB publications in batches of 32; after each batch the normal subscriber reads
            // all of it, so it never has more than ~35 KB in flight (kernel buffers and the hub's
            // queue together, under the 64 KiB limit): it is never a slow consumer, whatever the
            // timing.
            let group = TestPollGroup([normal.ws])
            var received = 0
            var wrong: [String] = []
            func readNormal(_ frame: TestFrame) {
                if frame.opcode == .text, frame.payload == push(received + 1) {
                    received += 1
                } else if wrong.count < 3 {
                    wrong.append("after offset \(received): \(frame) \(String(decoding: frame.payload.prefix(80), as: UTF8.self))")
                }
            }
            var published = 0
            while published < Self.maxMessages && server.metrics.slowConsumers.load(ordering: .relaxed) == 0 {
                try publisher.sendBatch((published + 1...published + 32).map {
                    #"{"op":"publish","topic":"\#(Self.topic)","data":{"n":\#($0),"p":"\#(Self.payload)"}}"#
                })
                published += 32
                let caughtUp = try group.run(timeout: 10, until: { received == published || !wrong.isEmpty }) { _, f in readNormal(f) }
                try #require(caughtUp && wrong.isEmpty, "the normal subscriber is at \(received) of \(published): \(wrong)")
                if published % 1024 == 0 {
                    // Let the hub catch up, so the count above is what it has seen.
                    _ = try publisher.call(#"{"op":"ping","id":\#(published)}"#, id: published)
                }
            }
            #expect(published >= 64, "at least 64 KiB went out before the hub closed the slow one")
            // The publishes had no id: a ping round trip shows they were all taken, without error.
            let (pong, before) = try publisher.call(#"{"op":"ping","id":1}"#, id: 1)
            #expect(pong.result != nil)
            #expect(before.isEmpty, "\(before.prefix(3))")
            try group.run(timeout: 20, until: { received == published || !wrong.isEmpty }) { _, f in readNormal(f) }
            #expect(received == published, "the normal subscriber got \(received) of \(published)")
            #expect(wrong.isEmpty, "\(wrong)")
            #expect(server.metrics.slowConsumers.load(ordering: .relaxed) == 1)

            // The slow one now drains what the kernel and the hub kept for it: a prefix of the
            // stream (1…k, whole frames), then the close frame 4408, then EOF.
            let bytes = try slow.ws.readToEnd(timeout: 15)
            var parser = WebSocketFrameParser(options: .init(requireMask: false, allowRSV1: true))
            var frames: [TestFrame] = []
            var partial: (WebSocketFrameHeader, [UInt8])?
            var failure: WebSocketError?
            var rest = bytes
            rest.withUnsafeMutableBytes { raw in
                var input = raw
                loop: while true {
                    switch parser.next(&input) {
                    case .needMore: break loop
                    case .failed(let e): failure = e; break loop
                    case .chunk(let h, let chunk, let first, let last):
                        if first { partial = (h, []) }
                        partial!.1.append(contentsOf: chunk)
                        if last {
                            frames.append(TestFrame(opcode: h.opcode, fin: h.fin, rsv1: h.rsv1, payload: partial!.1))
                            partial = nil
                        }
                    }
                }
                #expect(input.isEmpty, "\(input.count) trailing bytes that are no whole frame")
            }
            #expect(failure == nil)
            let close = try #require(frames.last, "nothing at all in \(bytes.count) bytes")
            #expect(close.opcode == .close)
            #expect(close.closeCode == 4408, "\(close)")
            let pubs = frames.dropLast()
            #expect(pubs.allSatisfy { $0.opcode == .text })
            #expect(pubs.count < published, "publications were dropped, not all queued")
            for (i, f) in pubs.enumerated() where f.payload != push(i + 1) {
                Issue.record("frame \(i) of the slow consumer is not offset \(i + 1): \(String(decoding: f.payload.prefix(80), as: UTF8.self))")
                break
            }
        }
    }
}

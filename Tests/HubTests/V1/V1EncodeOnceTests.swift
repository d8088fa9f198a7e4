import Broadcast
import Foundation
import Testing
@testable import Hub

/// A publication is encoded once per loop, not once per subscriber, and compressed at most once
/// per loop (EventLoop.fanOut; ARCHITECTURE.md §2–3).
@Suite struct V1EncodeOnceTests {
    static let subscribers = 8
    static let publications = 12
    static let topic = "enc.t"

    static func configure(_ c: inout HubConfig) {
        c.loops = 1
        c.namespaces = Namespaces(["enc": NamespaceRules(presence: false)])
    }

    /// Connects and subscribes `count` clients (deflate offered when `deflate`).
    static func subscribers(_ port: Int, deflate: Bool, count: Int = subscribers) throws -> [V1Client] {
        try (0..<count).map { _ in
            let c = try V1Client(port: port, deflate: deflate)
            try #require(c.ws.deflateNegotiated == deflate, "permessage-deflate negotiated: \(c.ws.deflateNegotiated)")
            try c.subscribe(topic, id: 1)
            return c
        }
    }

    /// Publishes `publications` messages with `data(n)`, waits for each reply, and returns each
    /// subscriber's pushes.
    static func publishAndCollect(_ port: Int, _ subs: [V1Client], data: (Int) -> String) throws -> (publisher: V1Client, pushes: [[V1Message]]) {
        let publisher = try V1Client(port: port)
        for n in 1...publications { #expect(try publisher.publish(topic, data: data(n), id: n) == n) }
        var pushes: [[V1Message]] = []
        for s in subs {
            var got: [V1Message] = []
            for _ in 1...publications { got.append(try s.next()) }
            pushes.append(got)
        }
        for s in subs { #expect(try s.nextIfAny(timeout: 0.05) == nil) }
        return (publisher, pushes)
    }

    static func expected(_ n: Int, from: String, data: String) -> String {
        #"{"topic":"\#(topic)","offset":\#(n),"from":{"client":"\#(from)","user":null},"data":\#(data)}"#
    }

    @Test func framesEncodedOncePerPublication() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let subs = try Self.subscribers(server.port, deflate: false)
            let m = server.metrics
            let encoded = m.framesEncoded.load(ordering: .relaxed)
            let delivered = m.deliveries.load(ordering: .relaxed)
            let data = { (n: Int) in #"{"n":\#(n)}"# }
            let (publisher, pushes) = try Self.publishAndCollect(server.port, subs, data: data)
            #expect(m.framesEncoded.load(ordering: .relaxed) - encoded == Self.publications, "M, not N×M")
            #expect(m.deliveries.load(ordering: .relaxed) - delivered == Self.subscribers * Self.publications)
            for got in pushes {
                #expect(got.map(\.text) == (1...Self.publications).map { Self.expected($0, from: publisher.clientID, data: data($0)) })
            }
        }
    }

    /// Over the threshold: one deflate call per publication on the loop, every subscriber gets
    /// an RSV1 frame that inflates to the same, correct text.
    @Test func deflatedOncePerPublicationAboveTheThreshold() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let subs = try Self.subscribers(server.port, deflate: true)
            let m = server.metrics
            let calls = m.deflateCalls.load(ordering: .relaxed)
            let encoded = m.framesEncoded.load(ordering: .relaxed)
            let data = { (n: Int) in #"{"n":\#(n),"text":"\#(String(repeating: "compressible ", count: 20))"}"# }
            #expect(data(1).utf8.count > 200)
            let (publisher, pushes) = try Self.publishAndCollect(server.port, subs, data: data)
            #expect(m.deflateCalls.load(ordering: .relaxed) - calls == Self.publications, "one per publication per loop")
            #expect(m.framesEncoded.load(ordering: .relaxed) - encoded == Self.publications)
            for got in pushes {
                #expect(got.allSatisfy { $0.compressed }, "RSV1 on every push")
                #expect(got.map(\.text) == (1...Self.publications).map { Self.expected($0, from: publisher.clientID, data: data($0)) })
            }
        }
    }

    /// Below the threshold (128 bytes of push) nothing is compressed and deflate is not called.
    @Test func noDeflateBelowTheThreshold() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let subs = try Self.subscribers(server.port, deflate: true)
            let m = server.metrics
            let calls = m.deflateCalls.load(ordering: .relaxed)
            let data = { (n: Int) in "\(n)" }
            let (publisher, pushes) = try Self.publishAndCollect(server.port, subs, data: data)
            #expect(Self.expected(Self.publications, from: publisher.clientID, data: data(Self.publications)).utf8.count < 128)
            #expect(m.deflateCalls.load(ordering: .relaxed) == calls)
            for got in pushes {
                #expect(got.allSatisfy { !$0.compressed })
                #expect(got.map(\.text) == (1...Self.publications).map { Self.expected($0, from: publisher.clientID, data: data($0)) })
            }
        }
    }

    /// Mixed: plain and deflate subscribers on one loop still cost one encoding and one deflate
    /// call per publication.
    @Test func mixedSubscribersShareOneEncodingAndOneDeflate() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let subs = try Self.subscribers(server.port, deflate: true, count: 3) + Self.subscribers(server.port, deflate: false, count: 3)
            let m = server.metrics
            let calls = m.deflateCalls.load(ordering: .relaxed)
            let encoded = m.framesEncoded.load(ordering: .relaxed)
            let data = { (n: Int) in #"[\#(n),"\#(String(repeating: "x", count: 300))"]"# }
            let (publisher, pushes) = try Self.publishAndCollect(server.port, subs, data: data)
            #expect(m.deflateCalls.load(ordering: .relaxed) - calls == Self.publications)
            #expect(m.framesEncoded.load(ordering: .relaxed) - encoded == Self.publications)
            for (i, got) in pushes.enumerated() {
                #expect(got.allSatisfy { $0.compressed == (i < 3) })
                #expect(got.map(\.text) == (1...Self.publications).map { Self.expected($0, from: publisher.clientID, data: data($0)) })
            }
        }
    }
}

import Broadcast
import Foundation
import Testing
@testable import Hub

/// Recovery on subscribe (PROTOCOL.md "Offsets, epochs, recovery"): a client that reconnects with
/// `recover: {epoch, offset}` gets exactly what it missed, pushed before the reply, or
/// `recovered: false` when that is gone.
@Suite struct V1RecoveryTests {
    /// Presence off, so the only pushes are publications.
    static func namespaces(_ c: inout HubConfig) {
        c.namespaces = Namespaces([
            "public": NamespaceRules(),
            "rec": NamespaceRules(presence: false),
            "small": NamespaceRules(historySize: 5, presence: false),
            "ttl": NamespaceRules(historyTTL: 0.3, presence: false),
        ])
    }

    static func push(_ topic: String, _ offset: Int, from: String) -> String {
        #"{"topic":"\#(topic)","offset":\#(offset),"from":{"client":"\#(from)","user":null},"data":{"n": \#(offset)}}"#
    }

    static func recoverCommand(_ topic: String, id: Int, epoch: String, offset: Int) -> String {
        #"{"op":"subscribe","id":\#(id),"topic":"\#(topic)","recover":{"epoch":\#(jsonString(epoch)),"offset":\#(offset)}}"#
    }

    @Test func reconnectRecoversExactlyTheMissedPublicationsBeforeTheReply() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let topic = "rec.r"
            let publisher = try V1Client(port: server.port)
            let first = try V1Client(port: server.port)
            let epoch = try #require(try first.subscribe(topic, id: 1)["epoch"] as? String)
            for i in 1...5 { #expect(try publisher.publish(topic, data: #"{"n": \#(i)}"#, id: i) == i) }
            for i in 1...5 {
                #expect(try first.next().text == Self.push(topic, i, from: publisher.clientID))
            }
            first.ws.socket.close()
            for i in 6...10 { #expect(try publisher.publish(topic, data: #"{"n": \#(i)}"#, id: i) == i) }

            let again = try V1Client(port: server.port)
            let (reply, before) = try again.call(Self.recoverCommand(topic, id: 2, epoch: epoch, offset: 5), id: 2)
            #expect(before.map(\.text) == (6...10).map { Self.push(topic, $0, from: publisher.clientID) })
            let result = try #require(reply.result, "\(reply)")
            #expect(Set(result.keys) == ["topic", "epoch", "offset", "recovered"])
            #expect(result["topic"] as? String == topic)
            #expect(result["epoch"] as? String == epoch)
            #expect(result["offset"] as? Int == 10)
            #expect(reply.text.contains(#""recovered":true"#), "\(reply)")

            // Live delivery continues after the replay, without repeats.
            try publisher.publish(topic, data: #"{"n": 11}"#, id: 11)
            #expect(try again.next().text == Self.push(topic, 11, from: publisher.clientID))
            #expect(try again.nextIfAny(timeout: 0.2) == nil)

            // Recovering from the latest offset: recovered, nothing to push.
            let current = try V1Client(port: server.port)
            let (upToDate, none) = try current.call(Self.recoverCommand(topic, id: 3, epoch: epoch, offset: 11), id: 3)
            #expect(none.isEmpty, "\(none)")
            #expect(upToDate.text.contains(#""recovered":true"#), "\(upToDate)")
            #expect(upToDate.result?["offset"] as? Int == 11)
        }
    }

    /// History of 5: recovering from offset 3 after 20 publications needs 4…20, which are gone.
    @Test func offsetOutOfTheRingIsNotRecovered() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let topic = "small.r"
            let publisher = try V1Client(port: server.port)
            for i in 1...20 { try publisher.publish(topic, data: #"{"n": \#(i)}"#, id: i) }
            let epoch = try #require(try publisher.result(#"{"op":"history","id":21,"topic":"\#(topic)"}"#, id: 21)["epoch"] as? String)

            let late = try V1Client(port: server.port)
            let (reply, before) = try late.call(Self.recoverCommand(topic, id: 1, epoch: epoch, offset: 3), id: 1)
            #expect(before.isEmpty, "no partial replay: \(before)")
            #expect(reply.text.contains(#""recovered":false"#), "\(reply)")
            #expect(reply.result?["offset"] as? Int == 20)
            #expect(reply.result?["epoch"] as? String == epoch)
            // Still subscribed: live publications arrive.
            try publisher.publish(topic, data: #"{"n": 21}"#, id: 22)
            #expect(try late.next().text == Self.push(topic, 21, from: publisher.clientID))

            // The edge of the ring: 17…21 are all retained, so from 16 it recovers.
            let edge = try V1Client(port: server.port)
            let (ok, replay) = try edge.call(Self.recoverCommand(topic, id: 1, epoch: epoch, offset: 16), id: 1)
            #expect(ok.text.contains(#""recovered":true"#), "\(ok)")
            #expect(replay.map(\.offset) == [17, 18, 19, 20, 21])
            // One older than the oldest retained: not recoverable.
            let past = try V1Client(port: server.port)
            let (no, nothing) = try past.call(Self.recoverCommand(topic, id: 1, epoch: epoch, offset: 15), id: 1)
            #expect(no.text.contains(#""recovered":false"#), "\(no)")
            #expect(nothing.isEmpty)
        }
    }

    @Test func wrongEpochIsNotRecovered() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let topic = "rec.epoch"
            let publisher = try V1Client(port: server.port)
            for i in 1...3 { try publisher.publish(topic, data: #"{"n": \#(i)}"#, id: i) }
            let real = try #require(try publisher.result(#"{"op":"history","id":9,"topic":"\#(topic)"}"#, id: 9)["epoch"] as? String)

            let c = try V1Client(port: server.port)
            let (reply, before) = try c.call(Self.recoverCommand(topic, id: 1, epoch: real + "x", offset: 1), id: 1)
            #expect(before.isEmpty, "\(before)")
            #expect(reply.text.contains(#""recovered":false"#), "\(reply)")
            #expect(reply.result?["epoch"] as? String == real, "the reply tells the current epoch")
            #expect(reply.result?["offset"] as? Int == 3)
        }
    }

    /// History TTL 0.3 s: after 0.5 s the missed publications have expired.
    @Test func expiredHistoryIsNotRecovered() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let topic = "ttl.r"
            let publisher = try V1Client(port: server.port)
            let start = TestDeadline.now()
            for i in 1...5 { try publisher.publish(topic, data: #"{"n": \#(i)}"#, id: i) }
            let epoch = try #require(try publisher.result(#"{"op":"history","id":9,"topic":"\#(topic)"}"#, id: 9)["epoch"] as? String)

            // Within the TTL the same recovery works (checked only when this machine was quick
            // enough for it to be meaningful).
            let early = try V1Client(port: server.port)
            let (fresh, replay) = try early.call(Self.recoverCommand(topic, id: 1, epoch: epoch, offset: 2), id: 1)
            if TestDeadline.now() - start < 0.25 {
                #expect(fresh.text.contains(#""recovered":true"#), "\(fresh)")
                #expect(replay.map(\.offset) == [3, 4, 5])
            }

            usleep(500_000)
            let late = try V1Client(port: server.port)
            let (reply, before) = try late.call(Self.recoverCommand(topic, id: 1, epoch: epoch, offset: 2), id: 1)
            #expect(before.isEmpty, "\(before)")
            #expect(reply.text.contains(#""recovered":false"#), "\(reply)")
        }
    }
}

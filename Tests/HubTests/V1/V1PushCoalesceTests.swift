import Broadcast
import Foundation
import Testing
@testable import Hub

/// `push_coalesce_ms`: fan-out pushes may wait for the window so several leave in one write;
/// replies never wait, and nothing is lost or reordered.
@Suite struct V1PushCoalesceTests {
    @Test func pushesWaitForTheWindowRepliesDoNotAndOrderIsKept() async throws {
        try await TestServer.runOnThread({ c in
            c.loops = 1
            c.pushCoalesceMs = 100
            c.namespaces = Namespaces(["fan": NamespaceRules(presence: false)])
        }) { server in
            let watcher = try V1Client(port: server.port)
            _ = try watcher.subscribe("fan.x", id: 1)
            let publisher = try V1Client(port: server.port)
            let sent = Date()
            for i in 0..<20 { try publisher.send(#"{"op":"publish","topic":"fan.x","data":\#(i)}"#) }
            // The publisher's own reply is not held by the window.
            let (pong, _) = try publisher.call(#"{"op":"ping","id":2}"#, id: 2)
            #expect(pong.text == #"{"id":2,"result":{}}"#)
            let replyAfter = Date().timeIntervalSince(sent)
            var got: [Int] = []
            var firstAfter: Double?
            while got.count < 20 {
                let m = try watcher.next(timeout: 5)
                if firstAfter == nil { firstAfter = Date().timeIntervalSince(sent) }
                if let n = m.json["data"] as? Int { got.append(n) }
            }
            #expect(got == Array(0..<20), "every push, in order")
            // The window is a lower bound on when the first push can arrive.
            #expect((firstAfter ?? 0) >= 0.09, "first push after \(firstAfter ?? 0) s, window 0.1 s")
            #expect(replyAfter < (firstAfter ?? 0), "the reply (\(replyAfter) s) did not wait for the window")
            // A reply to the watcher itself flushes what waits for it, in order.
            try publisher.send(#"{"op":"publish","topic":"fan.x","data":"late"}"#)
            Thread.sleep(forTimeInterval: 0.02)
            let (reply, before) = try watcher.call(#"{"op":"ping","id":3}"#, id: 3)
            #expect(reply.id == 3)
            #expect(before.count <= 1 && before.allSatisfy { $0.json["data"] as? String == "late" }, "\(before)")
        }
    }
}

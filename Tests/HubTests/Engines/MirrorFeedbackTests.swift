import Foundation
import Testing
@testable import Hub

/// The mirroring engine over real sockets: feedback and profile pushes on `mirror.<user>`.
@Suite struct MirrorFeedbackTests {
    @Test func aPublicationYieldsFeedbackWithItsSignAndSource() async throws {
        try await MirrorHub.run { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            let offset = try #require(
                try alice.result(#"{"op":"publish","id":2,"topic":"chat.x","data":"I love this, it is wonderful!"}"#, id: 2)["offset"] as? Int)
            let good = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            #expect((good["valence"] as? Double ?? 0) > 0.5, "\(good)")
            let arousal = try #require(good["arousal"] as? Double)
            #expect((0...1).contains(arousal))
            let source = try #require(good["source"] as? [String: Any])
            #expect(source["topic"] as? String == "chat.x")
            #expect(source["offset"] as? Int == offset)
            #expect(((good["emotions"] as? [String: Any])?["joy"] as? Double ?? 0) > 0)
            #expect((good["style"] as? [String: Any])?["words"] as? Int == 6)
            // The first message's profile goes out at once.
            let profile = try MirrorHub.next(alice, kind: "profile", topic: "mirror.alice")
            #expect(profile["messages"] as? Int == 1)
            #expect(profile["valence"] is Double)
            #expect((profile["hints"] as? [String: Any])?["tone"] is String)

            // `data.text` of an object is read too; the sign follows the words.
            let second = try #require(
                try alice.result(#"{"op":"publish","id":3,"topic":"chat.x","data":{"text":"This is terrible, I hate it."}}"#, id: 3)["offset"] as? Int)
            let bad = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            #expect((bad["valence"] as? Double ?? 0) < -0.5, "\(bad)")
            #expect((bad["source"] as? [String: Any])?["offset"] as? Int == second)
            #expect(((bad["style"] as? [String: Any])?["pace_s"] as? Double).map { $0 >= 0 } == true)
        }
    }

    @Test func profilePushesAreRateLimitedAndTheLatestStateArrives() async throws {
        let interval = 0.4
        try await MirrorHub.run({ $0.mirrorProfileInterval = interval }) { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            let n = 25
            let start = DispatchTime.now()
            var batch = ""
            for i in 0..<n { batch += #"{"op":"publish","topic":"chat.x","data":"message \#(i) is good"}"# + "\n" }
            for line in batch.split(separator: "\n") { try alice.send(String(line)) }
            var feedback = 0
            var profiles: [[String: Any]] = []
            let deadline = TestDeadline(seconds: 15)
            while feedback < n || profiles.last?["messages"] as? Int != n {
                let m = try alice.next(timeout: deadline.remaining)
                guard m.isPublication, let data = m.json["data"] as? [String: Any] else { continue }
                if data["kind"] as? String == "feedback" { feedback += 1 }
                if data["kind"] as? String == "profile" { profiles.append(data) }
            }
            let elapsed = secondsSince(start)
            #expect(feedback == n)
            // At most one per interval (plus the first, at once): far fewer than the messages.
            #expect(profiles.count <= Int(elapsed / interval) + 2, "\(profiles.count) profiles in \(elapsed) s")
            #expect(profiles.count < n)
            let counts = profiles.compactMap { $0["messages"] as? Int }
            #expect(counts == counts.sorted())
            #expect(counts.last == n)
            // Nothing more comes once the latest state is out.
            #expect(try MirrorHub.drain(alice, topic: "mirror.alice", seconds: interval * 2.5).isEmpty)
        }
    }

    @Test func aMirrorTopicIsPrivateToItsUser() async throws {
        try await MirrorHub.run { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            let (bob, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "bob"))
            #expect(try bob.errorCode(#"{"op":"subscribe","id":5,"topic":"mirror.alice"}"#, id: 5) == "forbidden")
            #expect(try bob.errorCode(#"{"op":"history","id":6,"topic":"mirror.alice"}"#, id: 6) == "forbidden")
            // Nobody but the hub publishes there.
            #expect(try alice.errorCode(#"{"op":"publish","id":7,"topic":"mirror.alice","data":"x"}"#, id: 7) == "forbidden")
            try alice.result(#"{"op":"publish","id":8,"topic":"chat.x","data":"what a lovely day"}"#, id: 8)
            _ = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            // The profile through the engine command: one's own, not someone else's.
            let own = try alice.result(#"{"op":"engine","id":9,"engine":"mirror","action":"profile","args":{}}"#, id: 9)
            #expect((own["valence"] as? Double ?? 0) > 0)
            #expect(own["user"] as? String == "alice")
            #expect(try bob.errorCode(#"{"op":"engine","id":10,"engine":"mirror","action":"profile","args":{"user":"alice"}}"#, id: 10)
                    == "forbidden")
            #expect(try bob.errorCode(#"{"op":"engine","id":11,"engine":"mirror","action":"profile"}"#, id: 11) == "not_found")
        }
    }

    @Test func anonymousAndUnmirroredPublicationsAreNotAnalysed() async throws {
        try await MirrorHub.run { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            // `public` has mirror off.
            try alice.result(#"{"op":"publish","id":2,"topic":"public.x","data":"I love this!"}"#, id: 2)
            // An anonymous client on a mirrored namespace: nobody to mirror.
            let anonymous = try V1Client(port: hub.port)
            try anonymous.result(#"{"op":"publish","id":1,"topic":"open.x","data":"I love this!"}"#, id: 1)
            #expect(try anonymous.call(#"{"op":"publish","id":2,"topic":"chat.x","data":"hi"}"#, id: 2).reply.errorCode == "forbidden")
            // Data that is neither a string nor has a string `text` is skipped.
            try alice.result(#"{"op":"publish","id":3,"topic":"chat.x","data":{"n":1}}"#, id: 3)
            #expect(try MirrorHub.drain(alice, topic: "mirror.alice", seconds: 0.8).isEmpty)
            // The control: alice on `open` is analysed.
            try alice.result(#"{"op":"publish","id":4,"topic":"open.x","data":"great"}"#, id: 4)
            let f = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            #expect((f["source"] as? [String: Any])?["topic"] as? String == "open.x")
            let h = try MirrorHub.health(hub)
            #expect(h["status"] as? String == "ok")
            #expect(h["processed"] as? Int == 1)
            #expect(h["skipped"] as? Int == 1)
            #expect(h["ignored"] as? Int == 1)
            #expect(h["dropped"] as? Int == 0)
            #expect(h["users"] as? Int == 1)
        }
    }
}

import Foundation
import Testing
@testable import Hub

/// `dream_corpus` through the daemon's own wiring (HubConfig → EngineSetup → DreamEngine): a
/// corpus of one sentence makes the chain's output exact; a missing one leaves the engine's
/// model down with the reason, and starts answer `unavailable`.
@Suite struct DreamCorpusConfigTests {
    @Test func aTinyCorpusGivesExactlyItsOwnWords() async throws {
        let dir = TestDirectory()
        let corpus = dir.file("tiny.txt")
        try "the cat sat on the mat\n".write(toFile: corpus, atomically: true, encoding: .utf8)
        try await IdentityHub.run({ c in
            c.engines = ["dream"]
            c.dreamCorpus = corpus
            c.dreamPaceMs = 1
        }) { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"prompt":"the cat","max_tokens":4,"seed":5}"#, id: 1)
            #expect(r["corpus"] as? String == "tiny" && r["pace_ms"] as? Int == 1, "\(r)")
            let w = try alice.watch(try #require(r["topic"] as? String), id: 2)
            // Each pair of this text has one successor: sat, on, the, mat.
            #expect(w.texts == ["sat", " on", " the", " mat"])
            let health = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/ai", port: hub.port, headers: [], body: nil))
            let dream = try #require((health["engines"] as? [String: Any])?["dream"] as? [String: Any])
            #expect(dream["corpus"] as? String == "tiny" && dream["corpus_words"] as? Int == 6)
            // The warm-up is a scheduled task: it ran once, at the start, without error.
            let warmup = try Self.warmupTask(port: hub.port)
            #expect((warmup["runs"] as? Int ?? 0) >= 1 && warmup["last_error"] is NSNull, "\(warmup)")
        }
    }

    @Test func aMissingCorpusLeavesTheModelDownWithTheReason() async throws {
        let dir = TestDirectory()
        let later = dir.file("dream-corpus.txt")
        try await IdentityHub.run({ c in
            c.engines = ["dream"]
            c.dreamCorpus = later
            c.dreamPaceMs = 1
        }) { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let e = try alice.startDreamError(#"{"max_tokens":3}"#, id: 1)
            #expect(e.code == "unavailable")
            #expect(e.message?.contains(later) == true, "\(e)")
            let health = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/ai", port: hub.port, headers: [], body: nil))
            let dream = try #require((health["engines"] as? [String: Any])?["dream"] as? [String: Any])
            #expect(dream["status"] as? String == "down", "\(dream)")
            #expect((dream["last_error"] as? String)?.contains("cannot read the dream corpus") == true, "\(dream)")
            #expect(dream["model_ready"] as? Bool == false)
            let warmup = try Self.warmupTask(port: hub.port)
            #expect((warmup["failures"] as? Int ?? 0) >= 1, "\(warmup)")
            #expect((warmup["last_error"] as? String)?.contains("cannot read the dream corpus") == true, "\(warmup)")
            // The corpus appears: the next warm-up run trains it, and streams start.
            try "the cat sat on the mat\n".write(toFile: later, atomically: true, encoding: .utf8)
            hub.server.scheduler.task(named: "dream_warmup")?.tick()
            let deadline = Date().addingTimeInterval(5)
            var ready = false
            while !ready && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                ready = try Self.warmupTask(port: hub.port)["last_run_failed"] as? Bool == false
            }
            #expect(ready, "the warm-up retried and succeeded")
            let r = try alice.startDream(#"{"prompt":"the cat","max_tokens":2,"seed":5}"#, id: 3)
            #expect(r["corpus"] as? String == "dream-corpus", "\(r)")
        }
    }

    static func warmupTask(port: Int) throws -> [String: Any] {
        let o = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/background-tasks", port: port, headers: [], body: nil))
        let tasks = try #require(o["tasks"] as? [[String: Any]])
        return try #require(tasks.first { $0["name"] as? String == "dream_warmup" }, "\(tasks)")
    }
}

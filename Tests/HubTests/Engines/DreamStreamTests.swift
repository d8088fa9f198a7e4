import Dispatch
import Engines
import Foundation
import Testing
@testable import Hub

/// The dream engine over real sockets: a stream's shapes, sharing, stop, reproducibility,
/// permissions, limits and recovery (PROTOCOL.md "Engines", docs/engines/dream.md).
@Suite struct DreamStreamTests {
    @Test func startStreamsTokensInOrderThenDone() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"prompt":"In the beginning","max_tokens":12,"seed":1,"pace_ms":5}"#, id: 1)
            let stream = try #require(r["stream"] as? String)
            #expect(r["topic"] as? String == "dream." + stream)
            #expect(r["generator"] as? String == "markov")
            #expect(r["kind"] as? String == "statistical")
            #expect(r["corpus"] as? String == "kjv-selection")
            #expect(r["prompt_match"] as? String == "order2")
            #expect(r["seed"] as? Int == 1 && r["max_tokens"] as? Int == 12 && r["pace_ms"] as? Int == 5)

            let watcher = try V1Client(port: hub.port)  // anonymous: anyone may watch
            let w = try watcher.watch("dream." + stream, id: 10)
            #expect(w.indexes == Array(0..<12))
            #expect(w.offsets == Array(1...13))
            #expect(w.texts.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
            #expect(w.texts.first?.hasPrefix(" ") == false && w.texts.dropFirst().allSatisfy { $0.hasPrefix(" ") })
            #expect(w.done["tokens"] as? Int == 12)
            #expect(w.done["generator"] as? String == "markov")
            #expect(w.done["kind"] as? String == "statistical")
            #expect(w.done["stopped"] == nil)

            let health = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/ai", port: hub.port, headers: [], body: nil))
            let dream = try #require((health["engines"] as? [String: Any])?["dream"] as? [String: Any])
            #expect(dream["status"] as? String == "ok")
            #expect(dream["generator"] as? String == "markov")
            #expect(dream["kind"] as? String == "statistical")
            #expect(dream["streams_started"] as? Int == 1)
            #expect(dream["tokens"] as? Int == 12)
            #expect(dream["processed"] as? Int == 12)
            #expect(dream["corpus"] as? String == "kjv-selection")
            #expect(dream["corpus_words"] as? Int == 188_109)
            #expect(dream["model_ready"] as? Bool == true)
            #expect(dream["upstream"] is NSNull)
        }
    }

    @Test func twoWatchersGetIdenticalTokens() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let (bob, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "bob"))
            let anonymous = try V1Client(port: hub.port)
            let r = try alice.startDream(#"{"prompt":"The LORD is","max_tokens":25,"pace_ms":10}"#, id: 1)
            let topic = try #require(r["topic"] as? String)
            let a = try bob.watch(topic, id: 10)
            let b = try anonymous.watch(topic, id: 10)
            #expect(a.texts == b.texts)
            #expect(a.offsets == b.offsets)
            #expect(a.indexes == Array(0..<25))
            #expect(a.done["tokens"] as? Int == 25 && b.done["tokens"] as? Int == 25)
        }
    }

    @Test func stopEndsTheStreamWithStopped() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let (bob, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "bob"))
            let r = try alice.startDream(#"{"max_tokens":999,"pace_ms":40}"#, id: 1)
            let stream = try #require(r["stream"] as? String)
            let topic = "dream." + stream
            let watcher = try V1Client(port: hub.port)
            _ = try watcher.ask(#"{"op":"subscribe","id":2,"topic":"\#(topic)"}"#, id: 2)
            // Wait for two live tokens.
            var seen = 0
            while seen < 2 { if try watcher.next(timeout: 10).topic == topic { seen += 1 } }

            let notYours = try bob.ask(#"{"op":"engine","id":3,"engine":"dream","action":"stop","args":{"stream":"\#(stream)"}}"#, id: 3)
            #expect(notYours.errorCode == "forbidden")
            let stop = try alice.ask(#"{"op":"engine","id":4,"engine":"dream","action":"stop","args":{"stream":"\#(stream)"}}"#, id: 4)
            let result = try #require(stop.result, "\(stop)")
            #expect(result["stopped"] as? Bool == true)
            let tokens = try #require(result["tokens"] as? Int)
            #expect(tokens >= 2 && tokens < 999)

            let rest = try watcher.readStream(topic)
            #expect(rest.done["stopped"] as? Bool == true)
            #expect(rest.done["tokens"] as? Int == tokens)
            let all = try V1Client(port: hub.port).watch(topic, id: 20)
            #expect(all.indexes == Array(0..<tokens))
            #expect(all.done["stopped"] as? Bool == true)

            let again = try alice.ask(#"{"op":"engine","id":5,"engine":"dream","action":"stop","args":{"stream":"\#(stream)"}}"#, id: 5)
            #expect(again.errorCode == "not_found")
            let noArgs = try alice.ask(#"{"op":"engine","id":6,"engine":"dream","action":"stop","args":{}}"#, id: 6)
            #expect(noArgs.errorCode == "bad_request")
        }
    }

    @Test func theSameSeedAndPromptGiveTheSameTokens() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            func tokens(_ seed: Int, _ id: Int) throws -> [String] {
                let r = try alice.startDream(#"{"prompt":"And God said","max_tokens":30,"seed":\#(seed),"pace_ms":1}"#, id: id)
                guard let topic = r["topic"] as? String else { throw V1Client.Failure.unexpected("start \(r)") }
                return try alice.watch(topic, id: id + 1).texts
            }
            let first = try tokens(42, 10)
            #expect(first.count == 30)
            #expect(try tokens(42, 20) == first)
            #expect(try tokens(43, 30) != first)
            // The hub's stream is the model's own sequence for that seed and prompt.
            let model = try DreamCorpus.train(path: try #require(DreamCorpus.builtInPath()))
            let words = model.words(after: "And God said", count: 30, seed: 42)
            #expect(first.map { $0.trimmingCharacters(in: .whitespaces) } == words)
        }
    }

    @Test func anonymousClientsMayWatchButNotStart() async throws {
        try await DreamHub.run { hub in
            let anonymous = try V1Client(port: hub.port)
            let e = try anonymous.startDreamError(#"{"prompt":"x","max_tokens":3}"#, id: 1)
            #expect(e.code == "unauthorized")
            #expect(e.message?.contains("authenticated") == true)
            let stop = try anonymous.ask(#"{"op":"engine","id":2,"engine":"dream","action":"stop","args":{"stream":"d-1"}}"#, id: 2)
            #expect(stop.errorCode == "unauthorized")
            // Publishing into the dream namespace is the hub's alone.
            let publish = try anonymous.ask(#"{"op":"publish","id":3,"topic":"dream.d-1","data":{"token":"x","index":0}}"#, id: 3)
            #expect(publish.errorCode == "forbidden")
        }
    }

    @Test func limitsAreRefusedWithClearErrors() async throws {
        var d = DreamHub.config()
        d.maxTokens = 50
        d.maxStreams = 3
        d.maxStreamsPerUser = 2
        d.maxPromptLength = 20
        try await DreamHub.run(d) { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let (bob, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "bob"))
            let (carol, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "carol"))

            var e = try alice.startDreamError(#"{"max_tokens":51}"#, id: 1)
            #expect(e.code == "too_large" && e.message?.contains("limit of 50") == true, "\(e)")
            e = try alice.startDreamError(#"{"max_tokens":0}"#, id: 2)
            #expect(e.code == "bad_request")
            e = try alice.startDreamError(#"{"pace_ms":0}"#, id: 3)
            #expect(e.code == "bad_request" && e.message?.contains("pace_ms must be 1...10000") == true, "\(e)")
            e = try alice.startDreamError(#"{"pace_ms":60000}"#, id: 4)
            #expect(e.code == "bad_request")
            e = try alice.startDreamError(#"{"prompt":"\#(String(repeating: "a", count: 21))"}"#, id: 5)
            #expect(e.code == "too_large" && e.message?.contains("limit is 20") == true, "\(e)")
            e = try alice.startDreamError(#"{"seed":"x"}"#, id: 6)
            #expect(e.code == "bad_request")

            let slow = #"{"max_tokens":50,"pace_ms":5000}"#
            let a1 = try alice.startDream(slow, id: 10)
            _ = try alice.startDream(slow, id: 11)
            e = try alice.startDreamError(slow, id: 12)
            #expect(e.code == "rate_limited" && e.message?.contains("2 per user") == true, "\(e)")
            _ = try bob.startDream(slow, id: 13)
            e = try carol.startDreamError(slow, id: 14)
            #expect(e.code == "rate_limited" && e.message?.contains("the limit is 3") == true, "\(e)")
            // A stopped stream frees its slot.
            let stream = try #require(a1["stream"] as? String)
            _ = try alice.ask(#"{"op":"engine","id":15,"engine":"dream","action":"stop","args":{"stream":"\#(stream)"}}"#, id: 15)
            _ = try carol.startDream(slow, id: 16)
        }
    }

    @Test func aLateWatcherRecoversTheBeginning() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"prompt":"Blessed is the man","max_tokens":20,"pace_ms":1}"#, id: 1)
            let topic = try #require(r["topic"] as? String)
            // Nobody watches until the stream is over.
            let watcher = try V1Client(port: hub.port)
            var history: [[String: Any]] = []
            let deadline = TestDeadline(seconds: 10)
            repeat {
                let h = try watcher.ask(#"{"op":"history","id":2,"topic":"\#(topic)"}"#, id: 2)
                history = h.result?["publications"] as? [[String: Any]] ?? []
                if history.count < 21 { usleep(20_000) }
            } while history.count < 21 && deadline.remaining > 0
            #expect(history.count == 21)
            #expect(history.compactMap { ($0["data"] as? [String: Any])?["index"] as? Int } == Array(0..<20))
            #expect((history.last?["data"] as? [String: Any])?["done"] as? Bool == true)

            // subscribe + recover from offset 0: every publication, pushed before the reply.
            let late = try V1Client(port: hub.port)
            let h = try late.ask(#"{"op":"history","id":3,"topic":"\#(topic)","limit":1}"#, id: 3)
            let epoch = try #require(h.result?["epoch"] as? String)
            try late.send(#"{"op":"subscribe","id":4,"topic":"\#(topic)","recover":{"epoch":\#(jsonString(epoch)),"offset":0}}"#)
            var pushed: [V1Message] = []
            var reply: V1Message?
            while reply == nil {
                let m = try late.next(timeout: 10)
                if m.id == 4 { reply = m } else { pushed.append(m) }
            }
            #expect(reply?.result?["recovered"] as? Bool == true)
            #expect(pushed.compactMap(\.offset) == Array(1...21))
            let texts = pushed.dropLast().compactMap { ($0.json["data"] as? [String: Any])?["token"] as? String }
            #expect(texts == history.dropLast().compactMap { ($0["data"] as? [String: Any])?["token"] as? String })
        }
    }
    @Test func aStreamOfTheMaximumLengthIsRecoverableWhole() async throws {
        try await DreamHub.run { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"max_tokens":999,"pace_ms":1}"#, id: 1)
            let topic = try #require(r["topic"] as? String)
            let first = try V1Client(port: hub.port).readStreamFromHistory(topic)
            #expect(first.count == 1000)
            // The whole stream, done push included, is still in the namespace's history.
            let late = try V1Client(port: hub.port).watch(topic, id: 10)
            #expect(late.indexes == Array(0..<999))
            #expect(late.done["tokens"] as? Int == 999)
        }
    }
}

extension V1Client {
    /// Waits (polling `history`) until `topic` has its done push; returns every publication's data.
    func readStreamFromHistory(_ topic: String, timeout: Double = 20) throws -> [[String: Any]] {
        let deadline = TestDeadline(seconds: timeout)
        var id = 100
        while true {
            id += 1
            let h = try ask(#"{"op":"history","id":\#(id),"topic":"\#(topic)"}"#, id: id)
            let list = (h.result?["publications"] as? [[String: Any]] ?? []).compactMap { $0["data"] as? [String: Any] }
            if list.last?["done"] as? Bool == true || deadline.remaining <= 0 { return list }
            usleep(50_000)
        }
    }
}

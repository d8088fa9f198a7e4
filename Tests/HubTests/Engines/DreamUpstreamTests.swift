import Dispatch
import Engines
import Foundation
import Testing
@testable import Hub

/// The upstream generator against a fake OpenAI-compatible server the test runs on 127.0.0.1:
/// SSE streaming, then stalls and a 500 that open the `upstream_llm` breaker (streams fall back
/// to the Markov chain, health shows it), a half-open probe that closes it, and a mid-stream
/// stall that the chain takes over from.
@Suite struct DreamUpstreamTests {
    static func config(_ fake: DreamFakeUpstream) throws -> DreamConfig {
        var d = DreamHub.config()
        d.upstreamURL = try UpstreamURL(fake.url)
        d.upstreamKey = "sk-test-key"
        d.upstreamModel = "fake-model"
        d.upstreamTimeout = 0.4
        d.upstreamFailureThreshold = 2
        d.upstreamOpenInterval = 1.0
        return d
    }

    static func get(_ path: String, _ port: Int) throws -> [String: Any] {
        try OpsHTTP.json(try OpsHTTP.requestNow("GET", path, port: port, headers: [], body: nil))
    }

    static func breaker(_ port: Int) throws -> [String: Any] {
        let list = try get("/health/circuit-breakers", port)["breakers"] as? [[String: Any]] ?? []
        guard let b = list.first(where: { $0["name"] as? String == "upstream_llm" }) else {
            throw V1Client.Failure.unexpected("no upstream_llm breaker in \(list)")
        }
        return b
    }

    static func dreamHealth(_ port: Int) throws -> [String: Any] {
        (try get("/health/ai", port)["engines"] as? [String: Any])?["dream"] as? [String: Any] ?? [:]
    }

    @Test func upstreamStreamsFailuresOpenTheBreakerAndAProbeClosesIt() async throws {
        let fake = try DreamFakeUpstream()
        defer { fake.stop() }
        try await DreamHub.run(try Self.config(fake)) { hub in
            let port = hub.port
            let (alice, _) = try AuthClient.welcomed(port: port, token: try hub.createToken(user: "alice"))

            // 1. The upstream streams: its tokens, one push each.
            fake.set(.stream(["Hello", ",", " world", "!"], gapMs: 5))
            let r1 = try alice.startDream(#"{"prompt":"Say hello","max_tokens":10,"seed":7,"pace_ms":1}"#, id: 1)
            #expect(r1["generator"] as? String == "upstream", "\(r1)")
            #expect(r1["kind"] as? String == "llm")
            #expect(r1["model"] as? String == "fake-model")
            #expect(r1["fallback"] == nil)
            let w1 = try alice.watch(try #require(r1["topic"] as? String), id: 2)
            #expect(w1.texts == ["Hello", ",", " world", "!"])
            #expect(w1.indexes == [0, 1, 2, 3])
            #expect(w1.done["generator"] as? String == "upstream" && w1.done["tokens"] as? Int == 4)
            let request = try #require(fake.requests.last)
            #expect(request.hasPrefix("POST /v1/chat/completions HTTP/1.1\r\n"))
            #expect(request.contains("Authorization: Bearer sk-test-key\r\n"))
            #expect(request.contains(#""stream":true"#) && request.contains(#""content":"Say hello""#))
            #expect(request.contains(#""max_tokens":10"#) && request.contains(#""model":"fake-model""#))
            #expect(try Self.breaker(port)["state"] as? String == "closed")
            #expect(try Self.dreamHealth(port)["generator"] as? String == "upstream")

            // 2. It stalls: each start waits out the timeout, then streams from the chain.
            fake.set(.stall)
            for id in [10, 20] {
                let t0 = DispatchTime.now()
                let r = try alice.startDream(#"{"prompt":"In the beginning","max_tokens":5,"seed":1,"pace_ms":1}"#, id: id)
                #expect(secondsSince(t0) >= 0.35)
                #expect(r["generator"] as? String == "markov", "\(r)")
                #expect(r["kind"] as? String == "statistical")
                #expect((r["fallback"] as? String)?.contains("timed out") == true, "\(r)")
                let w = try alice.watch(try #require(r["topic"] as? String), id: id + 1)
                #expect(w.indexes == Array(0..<5))
                #expect(w.done["generator"] as? String == "markov" && w.done["kind"] as? String == "statistical")
            }
            let open = try Self.breaker(port)
            #expect(open["state"] as? String == "open", "\(open)")
            #expect(open["timeouts"] as? Int == 2, "\(open)")
            let degraded = try Self.dreamHealth(port)
            #expect(degraded["status"] as? String == "degraded", "\(degraded)")
            #expect(degraded["generator"] as? String == "markov")
            #expect(degraded["upstream_breaker"] as? String == "open")
            #expect(degraded["fallbacks"] as? Int == 2)
            #expect((degraded["last_error"] as? String)?.contains("timed out") == true)

            // 3. Open: the upstream is not even asked; the chain answers (no timing asserted:
            // the request count proves nothing waited for the upstream).
            let asked = fake.requests.count
            let r3 = try alice.startDream(#"{"max_tokens":3,"pace_ms":1}"#, id: 30)
            #expect(r3["generator"] as? String == "markov")
            #expect((r3["fallback"] as? String)?.contains("open") == true, "\(r3)")
            #expect(fake.requests.count == asked)
            _ = try alice.watch(try #require(r3["topic"] as? String), id: 31)

            // 4. After the open interval one start probes; it succeeds and closes the breaker.
            fake.set(.stream(["back", " again"], gapMs: 0))
            let probeDeadline = TestDeadline(seconds: 5)
            while try Self.breaker(port)["state"] as? String == "open", probeDeadline.remaining > 0 { usleep(50_000) }
            #expect(try Self.breaker(port)["state"] as? String == "half_open")
            let r4 = try alice.startDream(#"{"max_tokens":5,"pace_ms":1}"#, id: 40)
            #expect(r4["generator"] as? String == "upstream", "\(r4)")
            let w4 = try alice.watch(try #require(r4["topic"] as? String), id: 41)
            #expect(w4.texts == ["back", " again"])
            #expect(try Self.breaker(port)["state"] as? String == "closed")
            #expect(try Self.dreamHealth(port)["status"] as? String == "ok")

            // 5. A 500: the chain again, and the reason says so.
            fake.set(.fail)
            let r5 = try alice.startDream(#"{"max_tokens":3,"pace_ms":1}"#, id: 50)
            #expect(r5["generator"] as? String == "markov")
            #expect((r5["fallback"] as? String)?.contains("HTTP 500") == true, "\(r5)")
            _ = try alice.watch(try #require(r5["topic"] as? String), id: 51)

            // 6. Two tokens, then silence: the chain continues the same stream from that text.
            fake.set(.streamThenStall(["And", " God"]))
            let r6 = try alice.startDream(#"{"max_tokens":8,"seed":3,"pace_ms":1}"#, id: 60)
            #expect(r6["generator"] as? String == "upstream")
            let w6 = try alice.watch(try #require(r6["topic"] as? String), id: 61)
            #expect(w6.indexes == Array(0..<8))
            #expect(Array(w6.texts.prefix(2)) == ["And", " God"])
            #expect(w6.texts.dropFirst(2).allSatisfy { $0.hasPrefix(" ") })
            #expect(w6.done["generator"] as? String == "markov" && w6.done["tokens"] as? Int == 8)
            let fallback = try #require(w6.done["fallback"] as? [String: Any])
            #expect(fallback["index"] as? Int == 2 && fallback["from"] as? String == "upstream")
            #expect((fallback["reason"] as? String)?.contains("sent nothing") == true, "\(fallback)")
            // The stall counted against the breaker (the opening before it was a success).
            let after = try Self.breaker(port)
            #expect(after["consecutive_failures"] as? Int == 1, "\(after)")
            #expect((after["last_error"] as? String)?.contains("sent nothing") == true, "\(after)")
        }
    }
}

import Broadcast
import Engines
import Foundation
import Synchronization
import Testing
@testable import Hub

/// An engine whose actions misbehave on purpose: the registry must keep each misbehaviour inside
/// the engine (its breaker, its health) while the hub and the other engines keep serving.
final class ProbeEngine: Engine {
    let name: String
    let failStart: Bool
    let namespace: String? = nil
    let actions: Set<String> = ["echo", "fail", "refuse", "hang", "throw"]
    private let calls = Atomic<Int>(0)

    init(name: String = "probe", failStart: Bool = false) {
        self.name = name
        self.failStart = failStart
    }

    func start(_ context: EngineContext) async throws {
        if failStart { throw EngineError(.internal, "model file missing") }
    }

    func handle(_ call: EngineCall) async throws -> EngineReply {
        calls.add(1, ordering: .relaxed)
        switch call.action {
        case "echo":
            // The caller as the engine saw it, and its args byte for byte.
            let user = call.caller.user.map { "\"\($0)\"" } ?? "null"
            return EngineReply(json: Array("{\"user\":\(user),\"args\":".utf8) + (call.args ?? Array("null".utf8)) + [UInt8(ascii: "}")])
        case "fail": throw EngineError(.internal, "the model crashed")
        case "refuse": throw EngineError(.badRequest, "args.n must be a number")
        case "throw": throw ProbeFailure.broken
        default:
            try await Task.sleep(for: .seconds(5))
            return .empty
        }
    }

    enum ProbeFailure: Error { case broken }

    func health() -> EngineHealth {
        EngineHealth(status: .ok, processed: calls.load(ordering: .relaxed), generator: nil, details: [("answers", .string("all"))])
    }
}

@Suite struct EngineRegistryTests {
    @Test func engineCommandsReachTheEngineWithTheirArgsByteForByte() async throws {
        let registry = EngineRegistry(engines: [ProbeEngine()], disabled: ["dream"])
        try await TestServer.runOnThread(engines: registry) { server in
            let c = try V1Client(port: server.port)
            let (r, _) = try c.call(#"{"op":"engine","engine":"probe","action":"echo","args":{"n": 1.50, "s":"é"},"id":1}"#, id: 1)
            #expect(r.text == #"{"id":1,"result":{"user":null,"args":{"n": 1.50, "s":"é"}}}"#)
            // Without an id a success gets no reply; the next answer is the ping's.
            try c.send(#"{"op":"engine","engine":"probe","action":"echo"}"#)
            let (pong, before) = try c.call(#"{"op":"ping","id":2}"#, id: 2)
            #expect(pong.text == #"{"id":2,"result":{}}"# && before.isEmpty, "\(before)")
            V1ErrorTests.expectError(try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"nope","action":"x","id":3}"#, id: 3), "not_found", id: 3)
            let disabled = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"dream","action":"start","id":4}"#, id: 4)
            V1ErrorTests.expectError(disabled, "unavailable", id: 4)
            #expect((disabled.error?["message"] as? String)?.contains("disabled") == true, "\(disabled)")
            let unknown = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","action":"explode","id":5}"#, id: 5)
            V1ErrorTests.expectError(unknown, "bad_request", id: 5)
            #expect((unknown.error?["message"] as? String)?.contains("echo") == true, "names the actions it has: \(unknown)")
            V1ErrorTests.expectError(try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","id":6}"#, id: 6), "bad_request", id: 6)
            // send/ack belong to telepathy, which this hub does not run.
            V1ErrorTests.expectError(try V1ErrorTests.errorFor(c, #"{"op":"send","to":"bob","data":1,"id":7}"#, id: 7), "not_found", id: 7)
        }
    }

    @Test func aFailingEngineOpensItsBreakerAndTheHubKeepsServing() async throws {
        let registry = EngineRegistry(engines: [ProbeEngine(), ProbeEngine(name: "other")])
        try await TestServer.runOnThread(engines: registry) { server in
            let c = try V1Client(port: server.port)
            // The caller's mistakes do not count against the engine.
            for i in 1...6 {
                V1ErrorTests.expectError(try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","action":"refuse","id":\#(i)}"#, id: i), "bad_request", id: i)
            }
            #expect(try c.result(#"{"op":"engine","engine":"probe","action":"echo","id":10}"#, id: 10)["args"] is NSNull)
            // Five engine failures in a row (thrown errors of any type) open engine.probe.
            for i in 11...15 {
                let e = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","action":"\#(i % 2 == 0 ? "fail" : "throw")","id":\#(i)}"#, id: i)
                V1ErrorTests.expectError(e, i % 2 == 0 ? "internal" : "unavailable", id: i)
            }
            let refused = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","action":"echo","id":20}"#, id: 20)
            V1ErrorTests.expectError(refused, "unavailable", id: 20)
            #expect((refused.error?["message"] as? String)?.contains("open") == true, "\(refused)")
            // The other engine and the bus are untouched.
            #expect(try c.result(#"{"op":"engine","engine":"other","action":"echo","id":21}"#, id: 21)["user"] is NSNull)
            #expect(try c.subscribe("public.x", id: 22)["topic"] as? String == "public.x")

            let ai = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/ai", port: server.port, headers: [], body: nil))
            let engines = ai["engines"] as? [String: [String: Any]]
            #expect(ai["status"] as? String == "degraded", "\(ai)")
            #expect(engines?["probe"]?["breaker"] as? String == "open", "\(ai)")
            #expect(engines?["probe"]?["status"] as? String == "degraded", "\(ai)")
            #expect(engines?["probe"]?["answers"] as? String == "all", "engine details are shown: \(ai)")
            #expect(engines?["other"]?["status"] as? String == "ok", "\(ai)")
            #expect(engines?["other"]?["breaker"] as? String == "closed", "\(ai)")
            #expect((engines?["probe"]?["processed"] as? Int ?? 0) >= 12, "\(ai)")
            let breakers = try OpsHTTP.requestNow("GET", "/health/circuit-breakers", port: server.port, headers: [], body: nil)
            #expect(breakers.bodyText.contains("engine.probe"), "\(breakers.bodyText)")
            let metrics = try OpsHTTP.requestNow("GET", "/metrics", port: server.port, headers: [], body: nil)
            #expect(metrics.bodyText.contains("name=\"engine.probe\""), "the breaker is in /metrics")
        }
    }

    @Test func aHangingEngineCallTimesOutInsteadOfHangingTheClient() async throws {
        let registry = EngineRegistry(engines: [ProbeEngine()])
        try await TestServer.runOnThread({ $0.engineTimeout = 0.3 }, engines: registry) { server in
            let c = try V1Client(port: server.port)
            let started = Date()
            let e = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"probe","action":"hang","id":1}"#, id: 1)
            V1ErrorTests.expectError(e, "unavailable", id: 1)
            #expect((e.error?["message"] as? String)?.contains("timed out") == true, "\(e)")
            #expect(Date().timeIntervalSince(started) < 4, "answered at the timeout, not after the engine's 5 s")
        }
    }

    @Test func anEngineThatFailsToStartIsDownAndTheOthersServe() async throws {
        let registry = EngineRegistry(engines: [ProbeEngine(name: "broken", failStart: true), ProbeEngine()], disabled: ["mirror"])
        try await TestServer.runOnThread(engines: registry) { server in
            let c = try V1Client(port: server.port)
            let e = try V1ErrorTests.errorFor(c, #"{"op":"engine","engine":"broken","action":"echo","id":1}"#, id: 1)
            V1ErrorTests.expectError(e, "unavailable", id: 1)
            #expect((e.error?["message"] as? String)?.contains("model file missing") == true, "\(e)")
            #expect(try c.result(#"{"op":"engine","engine":"probe","action":"echo","id":2}"#, id: 2)["args"] is NSNull)
            let r = try OpsHTTP.requestNow("GET", "/health/ai", port: server.port, headers: [], body: nil)
            #expect(r.status == 200, "one engine down degrades /health/ai, it is not down")
            let ai = try OpsHTTP.json(r)
            let engines = ai["engines"] as? [String: [String: Any]]
            #expect(ai["status"] as? String == "degraded", "\(ai)")
            #expect(engines?["broken"]?["status"] as? String == "down", "\(ai)")
            #expect(engines?["broken"]?["running"] as? Bool == false, "\(ai)")
            #expect((engines?["broken"]?["last_error"] as? String)?.contains("model file missing") == true, "\(ai)")
            #expect(engines?["mirror"]?["enabled"] as? Bool == false, "\(ai)")
            #expect(engines?["mirror"]?["status"] as? String == "not_configured", "\(ai)")
        }
    }

    @Test func allEnginesDownMakesHealthAIDown() async throws {
        let registry = EngineRegistry(engines: [ProbeEngine(name: "broken", failStart: true)])
        try await TestServer.runOnThread(engines: registry) { server in
            let r = try OpsHTTP.requestNow("GET", "/health/ai", port: server.port, headers: [], body: nil)
            #expect(r.status == 503, "\(r.bodyText)")
            #expect(try OpsHTTP.json(r)["status"] as? String == "down")
        }
    }

    @Test func theEnginesOptionNamesKnownEnginesOnly() throws {
        var c = HubConfig()
        try ConfigOptions.option(key: "engines")!.apply(&c, "dream, mirror")
        #expect(c.engines == ["dream", "mirror"])
        try ConfigOptions.option(key: "engines")!.apply(&c, "")
        #expect(c.engines.isEmpty)
        #expect(throws: ConfigError.self) { try ConfigOptions.option(key: "engines")!.apply(&c, "mirror,oracle") }
        // The registry reports what the config switched off.
        c.engines = []
        let names = EngineSetup.registry(config: c, store: nil).reports().map(\.name)
        #expect(names == HubConfig.knownEngines)
    }
}

import Broadcast
import Foundation
import Synchronization

/// The dream engine: token streams that many watchers share (docs/engines/dream.md).
///
/// `{"action":"start","args":{"prompt","max_tokens","seed","pace_ms"}}` from an authenticated
/// user starts one generation on `dream.<id>`: pushes `{"token":"…","index":i}` (i from 0) at
/// the pace, then `{"done":true,"tokens":N,…}`. Every subscriber of the topic gets the same
/// publications (one generation, fanned out by the bus); the namespace's history lets a late
/// watcher recover the beginning. `{"action":"stop","args":{"stream"}}` ends it early (the final
/// push then has `"stopped":true`).
///
/// Generators: the embedded Markov chain (statistical text, seeded and reproducible), and, when
/// `dream_upstream_url` is set, an OpenAI-compatible server behind the `upstream_llm` breaker
/// with the chain as the fallback: at the start when the upstream cannot open a stream (the
/// reply says `"generator":"markov"` and why in `fallback`), and mid-stream when it fails (the
/// stream goes on with the chain from the text so far; the done push says where).
public final class DreamEngine: Engine {
    public let name = "dream"
    public var namespace: String? { "dream" }
    public let actions: Set<String> = ["start", "stop"]
    /// Settings and limits.
    public let config: DreamConfig

    private struct State {
        var context: EngineContext?
        var upstream: UpstreamGenerator?
        var model: Task<MarkovModel, any Error>?
        var modelStats: MarkovModel.Stats?
        var modelError: String?
        var warmupSeconds: Double?
        var streams: [String: DreamStream] = [:]
        var started = 0
        var tokens = 0
        var fallbacks = 0
        var lastError: String?
        var stopping = false
    }

    private let state = Mutex(State())

    /// An engine with these settings; nothing runs before `start`.
    public init(config: DreamConfig = DreamConfig()) {
        self.config = config
    }

    // MARK: Engine

    /// Makes the `upstream_llm` breaker (when an upstream is configured) and starts the warm-up:
    /// training the Markov model in the background (`dream_warmup` in the log). A start that
    /// comes before the model is ready waits for it.
    public func start(_ context: EngineContext) async throws {
        var upstream: UpstreamGenerator?
        if let url = config.upstreamURL {
            // An unreadable CA file leaves the engine down with the reason (health shows it).
            let tls = url.isTLS ? try UpstreamTLSContext(caFile: config.upstreamCAFile) : nil
            let breaker = context.breaker("upstream_llm", failureThreshold: config.upstreamFailureThreshold,
                                          openInterval: config.upstreamOpenInterval, callTimeout: config.upstreamTimeout)
            upstream = UpstreamGenerator(config: config, url: url, tls: tls, breaker: breaker)
        }
        // Training starts now (a process-wide task per corpus); the warm-up task awaits it.
        let model = DreamCorpus.model(path: config.corpusPath)
        state.withLock { s in
            s.context = context
            s.upstream = upstream
            s.model = model
            s.stopping = false
        }
        // The warm-up is the scheduled task `dream_warmup`: its first run trains the model at
        // once (in the background; starts answer `unavailable` until it is ready); later runs
        // are no-ops while the model is good and retrain after a failure (say, a corpus file
        // that appears later), each run recorded at /health/background-tasks.
        let path = config.corpusPath, engine = self
        context.schedule(Self.warmupTaskName, every: Self.warmupInterval, runNow: true) {
            try await DreamEngine.warmUp(engine, path: path, context: context)
        }
    }

    /// The engine's warm-up task, and how often it checks the model again.
    public static let warmupTaskName = "dream_warmup"
    static let warmupInterval = 30.0

    private static func warmUp(_ engine: DreamEngine, path: String, context: EngineContext) async throws {
        if engine.state.withLock({ $0.modelStats != nil }) { return }
        let began = Bus.monotonicNs()
        let model = engine.state.withLock { s -> Task<MarkovModel, any Error> in
            if let m = s.model { return m }
            let m = DreamCorpus.model(path: path)
            s.model = m
            return m
        }
        do {
            let m = try await model.value
            let seconds = Double(Bus.monotonicNs() - began) / 1e9
            engine.state.withLock { s in
                s.modelStats = m.stats
                s.modelError = nil
                s.warmupSeconds = seconds
            }
            context.log(.info, "dream_warmup", [("corpus", DreamCorpus.name(for: path)), ("words", String(m.stats.words)),
                                                ("vocabulary", String(m.stats.vocabulary)),
                                                ("seconds", String(format: "%.3f", seconds))])
        } catch {
            // Forget the failed training so the next run tries again.
            DreamCorpus.forget(path: path)
            engine.state.withLock { s in
                s.model = nil
                s.modelError = "\(error)"
                s.lastError = "\(error)"
            }
            context.log(.error, "dream_warmup_failed", [("reason", "\(error)")])
            throw error
        }
    }

    /// Stops every stream (each publishes its final push) and waits a little for them.
    public func stop() async {
        let streams = state.withLock { s -> [DreamStream] in
            s.stopping = true
            return Array(s.streams.values)
        }
        for stream in streams { stream.requestStop() }
        for _ in 0..<100 {
            if state.withLock({ $0.streams.isEmpty }) { return }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// `start` or `stop` (the registry refuses other actions before they get here).
    public func handle(_ call: EngineCall) async throws -> EngineReply {
        switch call.action {
        case "start": return try await start(call)
        case "stop": return try await stop(call)
        default: throw EngineError(.badRequest, "dream has no action \"\(call.action)\"")
        }
    }

    /// The generator a start would use now, the streams and tokens, the model and the upstream
    /// breaker (docs/engines/dream.md, "Health").
    public func health() -> EngineHealth {
        let s = state.withLock { s in
            (stats: s.modelStats, modelError: s.modelError, active: s.streams.count, started: s.started,
             tokens: s.tokens, fallbacks: s.fallbacks, lastError: s.lastError, upstream: s.upstream,
             warmup: s.warmupSeconds)
        }
        let breaker = s.upstream?.breaker.stateName
        let generator = s.upstream != nil && breaker != "open" ? "upstream" : "markov"
        var status = EngineHealth.Status.ok
        if s.modelError != nil { status = s.upstream == nil ? .down : .degraded }
        if breaker == "open" { status = s.modelError == nil ? .degraded : .down }
        var details: [(String, EngineValue)] = [
            ("kind", .string(generator == "markov" ? "statistical" : "llm")),
            ("streams_active", .int(s.active)),
            ("streams_started", .int(s.started)),
            ("tokens", .int(s.tokens)),
            ("fallbacks", .int(s.fallbacks)),
            ("model_ready", .bool(s.stats != nil)),
            ("corpus", .string(DreamCorpus.name(for: config.corpusPath))),
            ("corpus_bytes", s.stats.map { .int($0.bytes) } ?? .null),
            ("corpus_words", s.stats.map { .int($0.words) } ?? .null),
            ("vocabulary", s.stats.map { .int($0.vocabulary) } ?? .null),
            ("warmup_s", s.warmup.map { .double($0) } ?? .null),
        ]
        details.append(("upstream", s.upstream.map { .string($0.url.description) } ?? .null))
        details.append(("upstream_breaker", breaker.map { .string($0) } ?? .null))
        return EngineHealth(status: status, processed: s.tokens, lastError: s.lastError, generator: generator,
                            details: details)
    }

    // MARK: start

    private func start(_ call: EngineCall) async throws(EngineError) -> EngineReply {
        guard let user = call.caller.user else {
            throw EngineError(.unauthorized, "starting a dream stream needs an authenticated user (/ws/auth)")
        }
        let args = try DreamStartArgs.parse(call.args, config)
        let stream = DreamStream(id: DreamStream.newID(), owner: user)
        let (context, upstream, modelTask) = try reserve(stream)
        let model: MarkovModel
        do {
            model = try await modelTask.value
        } catch {
            release(stream)
            throw EngineError(.unavailable, "the dream model is not available: \(error)")
        }
        let markov = MarkovGenerator(model: model)
        let request = DreamRequest(prompt: args.prompt, maxTokens: args.maxTokens, seed: args.seed, continues: false)
        var generator: any DreamGenerator = markov
        var source: any DreamTokenSource = MarkovTokenSource(model: model, request: request)
        var fallback: String?
        if let upstream {
            do {
                source = try await upstream.open(request)
                generator = upstream
            } catch {
                fallback = Self.reason(error)
                noteFallback(fallback!)
                context.log(.warning, "dream_upstream_fallback", [("stream", stream.id), ("reason", fallback!)])
            }
        }
        stream.use(source)
        let opened = source, chosen = generator
        let task = Task.onHub { [self] in
            await DreamEngine.run(self, stream, opened, chosen, markov, upstream, request, args.paceMs, context)
        }
        stream.use(task)
        await stream.begun()

        var fields: [(String, String)] = [
            ("stream", DreamJSON.string(stream.id)),
            ("topic", DreamJSON.string(stream.topic)),
            ("generator", DreamJSON.string(generator.name)),
            ("kind", DreamJSON.string(generator.kind)),
        ]
        if generator is MarkovGenerator {
            fields.append(("model", DreamJSON.string("markov-order-2")))
            fields.append(("corpus", DreamJSON.string(DreamCorpus.name(for: config.corpusPath))))
            fields.append(("prompt_match", DreamJSON.string((source as? MarkovTokenSource)?.match.rawValue ?? "none")))
        } else {
            fields.append(("model", DreamJSON.string(config.upstreamModel)))
        }
        fields.append(("seed", String(args.seed)))
        fields.append(("max_tokens", String(args.maxTokens)))
        fields.append(("pace_ms", String(args.paceMs)))
        if let fallback { fields.append(("fallback", DreamJSON.string(fallback))) }
        return EngineReply(json: Array(DreamJSON.object(fields).utf8))
    }

    /// Takes a slot under the limits, or says which limit refuses.
    private func reserve(_ stream: DreamStream) throws(EngineError)
        -> (EngineContext, UpstreamGenerator?, Task<MarkovModel, any Error>) {
        let config = self.config
        let outcome = state.withLock { s -> Result<(EngineContext, UpstreamGenerator?, Task<MarkovModel, any Error>), EngineError> in
            guard let context = s.context, !s.stopping else {
                return .failure(EngineError(.unavailable, "the dream engine is not running"))
            }
            guard let model = s.model else {
                return .failure(EngineError(.unavailable, "the dream model is not trained: \(s.modelError ?? "warming up")"))
            }
            if s.streams.count >= config.maxStreams {
                return .failure(EngineError(.rateLimited, "\(s.streams.count) dream streams are running; the limit is \(config.maxStreams)"))
            }
            let mine = s.streams.values.filter { $0.owner == stream.owner }.count
            if mine >= config.maxStreamsPerUser {
                return .failure(EngineError(.rateLimited,
                                            "you have \(mine) dream streams running; the limit is \(config.maxStreamsPerUser) per user"))
            }
            s.streams[stream.id] = stream
            s.started += 1
            return .success((context, s.upstream, model))
        }
        return try outcome.get()
    }

    private func release(_ stream: DreamStream) {
        _ = state.withLock { $0.streams.removeValue(forKey: stream.id) }
    }

    private func noteFallback(_ reason: String) {
        state.withLock { s in
            s.fallbacks += 1
            s.lastError = reason
        }
    }

    private func countToken() { state.withLock { $0.tokens += 1 } }

    private static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    // MARK: stop

    private func stop(_ call: EngineCall) async throws(EngineError) -> EngineReply {
        guard let user = call.caller.user else {
            throw EngineError(.unauthorized, "stopping a dream stream needs an authenticated user (/ws/auth)")
        }
        var id: String?
        if let args = call.args, let o = try? JSONSerialization.jsonObject(with: Data(args)) as? [String: Any] {
            id = o["stream"] as? String
        }
        guard let id, !id.isEmpty else { throw EngineError(.badRequest, "stop needs args {\"stream\":\"…\"}") }
        guard let stream = state.withLock({ $0.streams[id] }) else {
            throw EngineError(.notFound, "no running dream stream \"\(id)\"")
        }
        guard stream.owner == user || call.caller.isAdmin else {
            throw EngineError(.forbidden, "stream \(id) belongs to another user")
        }
        stream.requestStop()
        let tokens = await stream.finished()
        return EngineReply(json: Array(DreamJSON.object([
            ("stream", DreamJSON.string(id)), ("stopped", "true"), ("tokens", String(tokens)),
        ]).utf8))
    }

    // MARK: The stream task

    /// Publishes the stream's tokens at the pace, falls back to the chain if the upstream fails
    /// mid-stream, then publishes the final push and frees the slot.
    private static func run(_ engine: DreamEngine, _ stream: DreamStream, _ first: any DreamTokenSource,
                            _ generator: any DreamGenerator, _ markov: MarkovGenerator, _ upstream: UpstreamGenerator?,
                            _ request: DreamRequest, _ paceMs: Int, _ context: EngineContext) async {
        var source = first
        var current = generator
        var index = 0
        var tail = request.prompt
        var fallback: (index: Int, reason: String)?
        var failure: String?
        let paceNs = UInt64(paceMs) * 1_000_000
        var due = Bus.monotonicNs()
        while index < request.maxTokens && !stream.isStopped {
            let token: String?
            do {
                token = try await source.next()
            } catch {
                if stream.isStopped { break }
                guard current is UpstreamGenerator, let upstream else {
                    failure = reason(error)
                    break
                }
                // The upstream failed mid-stream: count it, and go on with the chain from the text so far.
                let why = reason(error)
                await upstream.recordFailure(error)
                engine.noteFallback(why)
                context.log(.warning, "dream_upstream_failed_midstream", [("stream", stream.id), ("index", String(index)),
                                                                            ("reason", why)])
                fallback = (index, why)
                current = markov
                source = MarkovTokenSource(model: markov.model, request: DreamRequest(
                    prompt: tail, maxTokens: request.maxTokens - index, seed: request.seed, continues: index > 0))
                stream.use(source)
                continue
            }
            guard let token else { break }
            let now = Bus.monotonicNs()
            if due > now { try? await Task.sleep(nanoseconds: due - now) }
            if stream.isStopped { break }
            let data = DreamJSON.object([("token", DreamJSON.string(token)), ("index", String(index))])
            if case .failure(let e) = await context.publish(topic: stream.topic, data: Array(data.utf8)) {
                failure = "publish refused: \(e)"
                break
            }
            if index == 0 { stream.begin() }
            index += 1
            engine.countToken()
            tail += token
            if tail.unicodeScalars.count > 400 { tail = String(tail.unicodeScalars.suffix(200)) }
            due = max(due, now) + paceNs
        }
        source.cancel()
        var fields: [(String, String)] = [
            ("done", "true"), ("tokens", String(index)),
            ("generator", DreamJSON.string(current.name)), ("kind", DreamJSON.string(current.kind)),
        ]
        if stream.isStopped { fields.append(("stopped", "true")) }
        if let fallback {
            fields.append(("fallback", DreamJSON.object([
                ("index", String(fallback.index)), ("from", "\"upstream\""), ("reason", DreamJSON.string(fallback.reason)),
            ])))
        }
        if let failure {
            fields.append(("error", DreamJSON.string(failure)))
            engine.state.withLock { $0.lastError = failure }
        }
        _ = await context.publish(topic: stream.topic, data: Array(DreamJSON.object(fields).utf8))
        engine.release(stream)
        stream.complete(tokens: index)
    }
}

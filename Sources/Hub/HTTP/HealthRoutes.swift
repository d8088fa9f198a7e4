import Engines
import Broadcast
import Dispatch
import Synchronization
import WSProtocol

/// The health family (PROTOCOL.md "Identity and operations", "Command line and HTTP"):
///
/// | path | answers |
/// |---|---|
/// | `/health` | liveness: `{"status":"ok","version","uptime_s"}`, at once |
/// | `/ready` | 200 when every loop runs and the store (if any) is writable, else 503 |
/// | `/health/websocket` | connections per endpoint, each loop's state and a mailbox round trip |
/// | `/health/database` | the injected store check, `not_configured` without one |
/// | `/health/cache` | each cache: entries, bytes, budget, hits, misses, evictions, hit ratio |
/// | `/health/circuit-breakers` | each breaker: state, counts, last error; `degraded` while one is open |
/// | `/health/ai` | the engines dream, mirror, telepathy: `not_configured` until they land |
/// | `/health/background-tasks` | each scheduled task: interval, last run, duration, runs, last error |
/// | `/health/comprehensive` | all of the above; `status` is the worst (not_configured = ok) |
///
/// Every answer is JSON with `status` ∈ ok, degraded, down, not_configured; `down` answers 503,
/// anything else 200. Parts that do not exist say `not_configured` rather than a hopeful `ok`.
struct HealthRoutes: Sendable {
    let status: HubStatus
    let metrics: ServerMetrics

    /// How long a loop may take to answer a mailbox round trip before it counts as stalled. Two
    /// seconds: a loop is idle-fast (µs), but on a 2-core machine saturated by other work a
    /// healthy loop thread has been seen to wait over a second for the CPU.
    static let loopTimeout: Double = 2
    /// How long the store check may take before it counts as down.
    static let checkTimeout: Double = 2
    /// The endpoints whose connections are counted (every WebSocket route of the router).
    static let endpoints = ["echo", "ws", "ws_auth", "ws_admin"]

    static let paths: Set<String> = [
        "/health", "/ready", "/health/websocket", "/health/database", "/health/cache", "/health/ai",
        "/health/circuit-breakers", "/health/background-tasks", "/health/comprehensive",
    ]

    /// The route for a health path, nil for other paths.
    func route(_ head: HTTPRequestHead) -> Route? {
        guard Self.paths.contains(head.path) else { return nil }
        guard head.method == "GET" || head.method == "HEAD" else {
            return .respond(.plain(.methodNotAllowed, "method not allowed", headers: [("Allow", "GET")]))
        }
        let isHead = head.method == "HEAD"
        if head.path == "/health" {
            // Liveness answers on the spot: no hop, nothing that could hang.
            var o = JSONObjectWriter()
            o.string("status", "ok")
            o.string("version", HubVersion.current)
            o.int("uptime_s", Int(status.uptimeSeconds))
            return .respond(Self.answer(.ok, o.finish(), headOnly: isHead))
        }
        // The parts that are in-memory records (or do not exist) answer on the spot too.
        let onTheSpot: (HealthStatus, [UInt8])?
        switch head.path {
        case "/health/cache": onTheSpot = cache()
        case "/health/ai": onTheSpot = ai()
        case "/health/circuit-breakers": onTheSpot = circuitBreakers()
        case "/health/background-tasks": onTheSpot = backgroundTasks()
        default: onTheSpot = nil
        }
        if let (s, body) = onTheSpot { return .respond(Self.answer(s, body, headOnly: isHead)) }
        let path = head.path
        return .deferred { loop, done in
            let loops = loop.allLoops
            Task.onHub {
                let (s, body) = await self.report(path, loops: loops)
                done(Self.answer(s, body, headOnly: isHead))
            }
        }
    }

    /// One endpoint's status and JSON body.
    func report(_ path: String, loops: [EventLoop]) async -> (HealthStatus, [UInt8]) {
        switch path {
        case "/ready": return await ready(loops)
        case "/health/websocket": return await websocket(loops)
        case "/health/database": return await database()
        case "/health/cache": return cache()
        case "/health/ai": return ai()
        case "/health/circuit-breakers": return circuitBreakers()
        case "/health/background-tasks": return backgroundTasks()
        default: return await comprehensive(loops)
        }
    }

    // MARK: - Parts

    private func ready(_ loops: [EventLoop]) async -> (HealthStatus, [UInt8]) {
        let states = status.loopStates
        let answered = await Self.ping(loops, running: states)
        let running = states.indices.filter { states[$0] == .running && answered[$0] != nil }.count
        let db = await databaseResult()
        let storeOK = db.status == .notConfigured || db.status.severity < HealthStatus.down.severity
        let isReady = running == states.count && storeOK
        var o = JSONObjectWriter()
        o.string("status", isReady ? "ok" : "down")
        o.bool("ready", isReady)
        o.object("loops") { l in
            l.int("running", running)
            l.int("total", states.count)
        }
        o.string("database", db.status.rawValue)
        if !isReady {
            var reasons: [String] = []
            if running < states.count { reasons.append("\(states.count - running) of \(states.count) loops not running") }
            if !storeOK { reasons.append("store: " + (db.message ?? db.status.rawValue)) }
            o.string("reason", reasons.joined(separator: "; "))
        }
        return (isReady ? .ok : .down, o.finish())
    }

    private func websocket(_ loops: [EventLoop]) async -> (HealthStatus, [UInt8]) {
        let states = status.loopStates
        let answered = await Self.ping(loops, running: states)
        let alive = states.indices.filter { states[$0] == .running && answered[$0] != nil }.count
        let s: HealthStatus = alive == states.count ? .ok : (alive == 0 ? .down : .degraded)
        let endpoints = metrics.endpointsOpen.withLock { $0 }
        var o = JSONObjectWriter(reservingCapacity: 512)
        o.string("status", s.rawValue)
        o.object("connections") { c in
            c.int("total", metrics.open.load(ordering: .relaxed))
            c.int("websockets", metrics.webSocketsOpen.load(ordering: .relaxed))
            for name in Self.endpoints { c.int(name, endpoints[name] ?? 0) }
        }
        o.int("loops_alive", alive)
        o.int("loops_total", states.count)
        o.array("loops") { a in
            for (i, state) in states.enumerated() {
                a.object { e in
                    e.int("index", i)
                    // running but silent past the timeout: the thread is stuck in a turn.
                    let shown = state == .running && answered[i] == nil ? "stalled" : state.rawValue
                    e.string("state", shown)
                    if let n = answered[i] { e.int("connections", n) } else { e.null("connections") }
                }
            }
        }
        return (s, o.finish())
    }

    private func databaseResult() async -> HealthCheckResult {
        guard let check = status.database else {
            return HealthCheckResult(status: .notConfigured, message: "no store is wired into this hub")
        }
        return await Self.withTimeout(Self.checkTimeout, fallback: HealthCheckResult(status: .down, message: "check timed out")) {
            await check.check()
        }
    }

    private func database() async -> (HealthStatus, [UInt8]) {
        let started = MonotonicClock.nowNs()
        let r = await databaseResult()
        var o = JSONObjectWriter()
        o.string("status", r.status.rawValue)
        if let m = r.message { o.string("message", m) }
        if status.database != nil {
            o.raw("check_ms", Array(Self.decimal(Int((MonotonicClock.nowNs() &- started) / 1000), scale: 1000).utf8))
        }
        if !r.details.isEmpty {
            o.object("details") { d in for (k, v) in r.details.sorted(by: { $0.key < $1.key }) { d.string(k, v) } }
        }
        return (r.status, o.finish())
    }

    /// `/health/ai`: each engine's standing (PROTOCOL.md): enabled, running, generator in use,
    /// breaker state, messages processed, last error, and its own figures. The status is the
    /// worst of the enabled engines (an engine that did not start is `down`; an open breaker is
    /// `degraded`); `not_configured` when no engine is enabled. One engine down only degrades
    /// the whole: the hub and the other engines keep serving.
    func ai() -> (HealthStatus, [UInt8]) {
        let reports = status.engines.reports()
        var statuses: [HealthStatus] = []
        var o = JSONObjectWriter()
        var engines = JSONObjectWriter()
        for r in reports {
            let s: HealthStatus
            if !r.enabled {
                s = .notConfigured
            } else if !r.running {
                s = .down
            } else if r.breaker == "open" || r.breaker == "half_open" {
                s = .worst([.degraded, HealthStatus(rawValue: r.health?.status.rawValue ?? "ok") ?? .ok])
            } else {
                s = HealthStatus(rawValue: r.health?.status.rawValue ?? "ok") ?? .ok
            }
            if r.enabled { statuses.append(s) }
            engines.object(r.name) { e in
                e.string("status", s.rawValue)
                e.bool("enabled", r.enabled)
                e.bool("running", r.running)
                if let b = r.breaker { e.string("breaker", b) } else { e.null("breaker") }
                if let h = r.health {
                    if let g = h.generator { e.string("generator", g) } else { e.null("generator") }
                    e.int("processed", h.processed)
                    if let err = h.lastError { e.string("last_error", err) } else { e.null("last_error") }
                    for (k, v) in h.details {
                        switch v {
                        case .int(let x): e.int(k, x)
                        case .double(let x): e.raw(k, Array(HealthRoutes.seconds(x).utf8))
                        case .string(let x): e.string(k, x)
                        case .bool(let x): e.bool(k, x)
                        case .null: e.null(k)
                        }
                    }
                } else {
                    e.null("generator")
                    e.int("processed", 0)
                    if let err = r.startError { e.string("last_error", err) } else { e.null("last_error") }
                }
            }
        }
        let overall: HealthStatus
        if statuses.isEmpty {
            overall = .notConfigured
        } else if statuses.allSatisfy({ $0 == .down }) {
            overall = .down
        } else {
            overall = HealthStatus.worst(statuses.map { $0 == .down ? .degraded : $0 })
        }
        o.string("status", overall.rawValue)
        o.raw("engines", engines.finish())
        return (overall, o.finish())
    }

    private func comprehensive(_ loops: [EventLoop]) async -> (HealthStatus, [UInt8]) {
        let parts: [(String, (HealthStatus, [UInt8]))] = [
            ("websocket", await websocket(loops)),
            ("database", await database()),
            ("cache", cache()),
            ("ai", ai()),
            ("circuit_breakers", circuitBreakers()),
            ("background_tasks", backgroundTasks()),
            ("ready", await ready(loops)),
        ]
        let s = HealthStatus.worst(parts.map { $0.1.0 })
        var o = JSONObjectWriter(reservingCapacity: 2048)
        o.string("status", s.rawValue)
        o.string("version", HubVersion.current)
        o.int("uptime_s", Int(status.uptimeSeconds))
        o.object("components") { c in for (name, part) in parts { c.raw(name, part.1) } }
        return (s, o.finish())
    }

    // MARK: - Helpers

    /// 503 for `down`, else 200.
    static func answer(_ s: HealthStatus, _ body: [UInt8], headOnly: Bool) -> HTTPResponse {
        let r = HTTPResponse.json(s == .down ? .serviceUnavailable : .ok, body,
                                  headers: [("Cache-Control", "no-store")])
        return headOnly ? r.headOnly : r
    }

    /// A mailbox round trip to every running loop: index → its connection count, for the loops
    /// that answered within `loopTimeout`.
    static func ping(_ loops: [EventLoop], running states: [HubStatus.LoopState]) async -> [Int: Int] {
        let targets = loops.filter { $0.index < states.count && states[$0.index] == .running }
        guard !targets.isEmpty else { return [:] }
        let collector = PingCollector(expected: targets.count)
        return await withCheckedContinuation { c in
            collector.start(c)
            for loop in targets { loop.post(.run { l in collector.answer(l.index, l.liveConnectionCount) }) }
            DispatchQueue.global().asyncAfter(deadline: .now() + loopTimeout) { collector.finish() }
        }
    }

    /// `body`'s result, or `fallback` when it takes longer than `seconds`.
    static func withTimeout<T: Sendable>(_ seconds: Double, fallback: T, _ body: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? fallback
        }
    }

    /// Seconds with millisecond precision, as a JSON number.
    static func seconds(_ s: Double) -> String { decimal(Int((s * 1000).rounded()), scale: 1000) }

    /// `value / scale` as a decimal JSON number without exponent (`scale` a power of ten).
    static func decimal(_ value: Int, scale: Int) -> String {
        let sign = value < 0 ? "-" : ""
        let v = abs(value)
        var frac = String(v % scale)
        let digits = String(scale).count - 1
        guard digits > 0 else { return sign + String(v) }
        frac = String(repeating: "0", count: digits - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return sign + String(v / scale) + (frac.isEmpty ? "" : "." + frac)
    }
}

/// Collects the loops' answers to a ping and resumes once: when all answered or at the timeout.
private final class PingCollector: Sendable {
    private struct State {
        var answers: [Int: Int] = [:]
        var continuation: CheckedContinuation<[Int: Int], Never>?
    }
    private let state = Mutex(State())
    private let expected: Int

    init(expected: Int) { self.expected = expected }

    func start(_ c: CheckedContinuation<[Int: Int], Never>) { state.withLock { $0.continuation = c } }

    func answer(_ index: Int, _ connections: Int) {
        let done = state.withLock { s -> (CheckedContinuation<[Int: Int], Never>, [Int: Int])? in
            guard s.continuation != nil else { return nil }
            s.answers[index] = connections
            guard s.answers.count == expected else { return nil }
            defer { s.continuation = nil }
            return (s.continuation!, s.answers)
        }
        if let (c, answers) = done { c.resume(returning: answers) }
    }

    func finish() {
        let done = state.withLock { s -> (CheckedContinuation<[Int: Int], Never>, [Int: Int])? in
            guard let c = s.continuation else { return nil }
            s.continuation = nil
            return (c, s.answers)
        }
        if let (c, answers) = done { c.resume(returning: answers) }
    }
}

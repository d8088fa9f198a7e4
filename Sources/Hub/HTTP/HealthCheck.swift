import Engines
import Synchronization

/// The state of one part of the hub as the health endpoints report it (PROTOCOL.md: 200 unless
/// `down`, which answers 503). `notConfigured` is a part this hub does not have (yet); it counts
/// as `ok` when states are combined.
enum HealthStatus: String, Sendable, Equatable {
    case ok
    case degraded
    case down
    case notConfigured = "not_configured"

    /// Rank for "the worst of": ok (and not_configured) < degraded < down.
    var severity: Int {
        switch self {
        case .ok, .notConfigured: return 0
        case .degraded: return 1
        case .down: return 2
        }
    }

    /// The worst of `statuses` (`ok` when there are none or all are ok/not_configured).
    static func worst(_ statuses: [HealthStatus]) -> HealthStatus {
        let w = statuses.max { $0.severity < $1.severity }
        return w.map { $0.severity == 0 ? .ok : $0 } ?? .ok
    }
}

/// What a check of an outside part (the SQLite store, later a cache) found.
struct HealthCheckResult: Sendable, Equatable {
    var status: HealthStatus
    /// A short human explanation (`"read-only file system"`), never a secret.
    var message: String?
    /// Extra facts as strings (`"path": "./data/hub.sqlite"`), rendered in key order.
    var details: [String: String]

    init(status: HealthStatus, message: String? = nil, details: [String: String] = [:]) {
        self.status = status
        self.message = message
        self.details = details
    }
}

/// A check the server is given (`Server(…, database:)`): `/health/database` and `/ready` call it.
/// For the store, `ok` means writable; anything but `ok`/`degraded` makes the hub not ready.
/// Called off the event loops; it must answer within `HealthRoutes.checkTimeout` or counts as down.
protocol HealthCheck: Sendable {
    func check() async -> HealthCheckResult
}

/// A `HealthCheck` from a closure (tests, simple probes).
struct ClosureHealthCheck: HealthCheck {
    let body: @Sendable () async -> HealthCheckResult
    init(_ body: @escaping @Sendable () async -> HealthCheckResult) { self.body = body }
    func check() async -> HealthCheckResult { await body() }
}

/// What the health endpoints know about the running server: when it started, which loops run,
/// the injected store check, and the operations parts (background tasks, circuit breakers,
/// caches). Made by `Server` and shared by every loop's router.
final class HubStatus: Sendable {
    /// A loop thread's life.
    enum LoopState: String, Sendable {
        case notStarted = "not_started"
        case running
        case stopped
    }

    let startedNs = MonotonicClock.nowNs()
    /// The store check (`nil`: no store wired yet, reported `not_configured`).
    let database: (any HealthCheck)?
    /// The periodic tasks (`/health/background-tasks`).
    let scheduler: TaskScheduler
    /// The circuit breakers (`/health/circuit-breakers`, `hub_circuit_breaker_*`).
    let breakers: CircuitBreakerRegistry
    /// The caches (`/health/cache`, `hub_cache_*`).
    let caches: CacheRegistry
    /// The engines (`/health/ai`).
    let engines: EngineRegistry
    private let loops: Mutex<[LoopState]>

    init(loopCount: Int, database: (any HealthCheck)? = nil, scheduler: TaskScheduler = TaskScheduler(),
         breakers: CircuitBreakerRegistry = CircuitBreakerRegistry(), caches: CacheRegistry = CacheRegistry(),
         engines: EngineRegistry = .none) {
        self.engines = engines
        self.database = database
        self.scheduler = scheduler
        self.breakers = breakers
        self.caches = caches
        loops = Mutex(Array(repeating: .notStarted, count: max(1, loopCount)))
    }

    /// Seconds since the server was made.
    var uptimeSeconds: Double { Double(MonotonicClock.nowNs() &- startedNs) / 1e9 }

    /// Called by the loop's thread as it starts and ends `run()`.
    func setLoop(_ index: Int, _ state: LoopState) {
        loops.withLock { if index >= 0 && index < $0.count { $0[index] = state } }
    }

    var loopStates: [LoopState] { loops.withLock { $0 } }
}

import Foundation
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

/// When a periodic task last ran: two relaxed atomics, bumped by the task itself.
final class PeriodicTaskRecord: Sendable {
    let name: String
    /// Seconds between runs.
    let interval: Double
    private let lastRunUnixMs = Atomic<Int64>(0)
    private let runCount = Atomic<Int>(0)

    init(name: String, interval: Double) {
        self.name = name
        self.interval = interval
    }

    /// The task ran now.
    func ran() {
        lastRunUnixMs.store(Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
        runCount.add(1, ordering: .relaxed)
    }

    /// Unix time in ms of the last run, nil before the first.
    var lastRunMs: Int64? {
        let v = lastRunUnixMs.load(ordering: .relaxed)
        return v == 0 ? nil : v
    }

    var runs: Int { runCount.load(ordering: .relaxed) }
}

/// What the health endpoints know about the running server: when it started, which loops run,
/// the injected store check, and the periodic tasks' last runs. Made by `Server` and shared by
/// every loop's router.
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
    /// The revocation watch of `Server` (polls the verifier's stamp).
    let revocationWatch = PeriodicTaskRecord(name: "revocation_watch", interval: Server.revocationPollInterval)
    /// Seconds between admin-stream snapshots (the stream's last run is read from its topic's history).
    let adminInterval: Double
    private let loops: Mutex<[LoopState]>

    init(loopCount: Int, adminInterval: Double, database: (any HealthCheck)? = nil) {
        self.database = database
        self.adminInterval = adminInterval
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

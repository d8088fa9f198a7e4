import Broadcast
import Glibc
import Synchronization

/// One named periodic task of a `TaskScheduler`: its body, its timer and its record.
///
/// Each tick starts a run on the hub's executor (`Task.onHub`, ARCHITECTURE.md decision 15)
/// unless the previous run is still going, in which case the tick is skipped and counted: a
/// task never overlaps itself. A run that throws is recorded and the task keeps its schedule.
final class ScheduledTask: Sendable {
    private struct State {
        var timer: RepeatingTimer?
        var startedNs: UInt64?
        var running = false
        var runs = 0
        var failures = 0
        var skipped = 0
        var lastStartNs: UInt64?
        var lastStartUnixMs: Int64?
        var lastDurationNs: UInt64?
        var lastError: String?
        var lastRunFailed = false
    }

    let name: String
    /// Seconds between ticks.
    let interval: Double
    private let body: @Sendable () async throws -> Void
    private let clock: @Sendable () -> UInt64
    private let state = Mutex(State())

    init(name: String, interval: Double, clock: @escaping @Sendable () -> UInt64,
         body: @escaping @Sendable () async throws -> Void) {
        precondition(interval > 0, "a periodic task needs a positive interval")
        self.name = name
        self.interval = interval
        self.clock = clock
        self.body = body
    }

    /// Starts ticking (the first tick one interval from now); does nothing if already ticking.
    func start() {
        let now = clock()
        state.withLock { s in
            guard s.timer == nil else { return }
            s.startedNs = now
            s.timer = RepeatingTimer(label: "hub.task." + name, interval: interval) { [weak self] in self?.tick() }
        }
    }

    /// Stops ticking; a run that is going finishes and is recorded.
    func stop() {
        let timer = state.withLock { s -> RepeatingTimer? in
            defer { s.timer = nil; s.startedNs = nil }
            return s.timer
        }
        timer?.cancel()
    }

    /// One tick: a run, unless one is going.
    func tick() {
        let go = state.withLock { s -> Bool in
            if s.running {
                s.skipped += 1
                return false
            }
            s.running = true
            return true
        }
        if go { Task.onHub { await self.run() } }
    }

    private func run() async {
        let started = clock()
        state.withLock { s in
            s.lastStartNs = started
            s.lastStartUnixMs = Self.unixMs()
        }
        var failure: String?
        do {
            try await body()
        } catch {
            let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            failure = text.count > 200 ? String(text.prefix(200)) + "…" : text
        }
        let ended = clock()
        state.withLock { s in
            s.running = false
            s.runs += 1
            s.lastDurationNs = ended &- started
            s.lastRunFailed = failure != nil
            if let failure {
                s.failures += 1
                s.lastError = failure
            }
        }
    }

    /// The record now.
    func snapshot() -> ScheduledTaskSnapshot {
        let now = clock()
        return state.withLock { s in
            ScheduledTaskSnapshot(
                name: name, interval: interval, runs: s.runs, failures: s.failures, skipped: s.skipped, running: s.running,
                lastRunAge: s.lastStartNs.map { Double(now &- $0) / 1e9 }, lastRunUnixMs: s.lastStartUnixMs,
                lastDuration: s.lastDurationNs.map { Double($0) / 1e9 }, lastError: s.lastError,
                lastRunFailed: s.lastRunFailed, sinceStart: s.startedNs.map { Double(now &- $0) / 1e9 })
        }
    }

    private static func unixMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

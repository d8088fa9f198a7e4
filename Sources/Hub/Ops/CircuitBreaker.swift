import Broadcast
import Dispatch
import Synchronization

/// Stops calling a service that keeps failing, so callers fail fast with a clear error instead
/// of queueing behind it, and finds out with a single probe when it is back.
///
/// The policy is **consecutive failures**: `failureThreshold` failed calls in a row (a success
/// resets the run) open the breaker. A failure rate over a window reacts to a slowly degrading
/// service too, but needs a minimum call count to mean anything, which a store asked a few times
/// a second rarely reaches; a run of failures is what a dead SQLite file or a stalled upstream
/// looks like. Open, every call is refused at once (`CircuitBreakerError.open`) for
/// `openInterval` seconds; then the breaker is half-open and lets exactly one call through as a
/// probe (others get `.probing`): its success closes the breaker, its failure opens it again for
/// another interval. A probe whose result never comes back (a dropped permit) is given up after
/// `max(openInterval, callTimeout)` and another probe is allowed.
///
/// Results of calls admitted before a transition do not move the state after it (a slow success
/// that started before the breaker opened does not close it); they only count. State lives in one
/// `Mutex` (a few nanoseconds per call); the clock is injected for tests.
final class CircuitBreaker: Sendable {
    /// What the breaker is told at creation.
    struct Configuration: Sendable {
        /// The name in health and metrics (`sqlite`, `upstream_llm`, `engine.mirror`).
        var name: String
        /// Failures in a row that open the breaker.
        var failureThreshold: Int = 5
        /// Seconds the breaker stays open before it lets a probe through.
        var openInterval: Double = 5
        /// Seconds a `call` may take before it counts as failed; nil: calls are not timed.
        var callTimeout: Double? = nil

        init(name: String, failureThreshold: Int = 5, openInterval: Double = 5, callTimeout: Double? = nil) {
            self.name = name
            self.failureThreshold = failureThreshold
            self.openInterval = openInterval
            self.callTimeout = callTimeout
        }
    }

    /// Leave to make one call, from `acquire()`; hand it back with `record`. A permit from before
    /// a transition no longer moves the state.
    struct Permit: Sendable, Equatable {
        /// The state's epoch when the permit was given.
        fileprivate let epoch: UInt64
        /// Whether this call is the half-open probe.
        let isProbe: Bool
    }

    private struct Core {
        var state: CircuitBreakerState = .closed
        /// Bumped at every transition.
        var epoch: UInt64 = 0
        var consecutiveFailures = 0
        var openedAtNs: UInt64 = 0
        var probeOut = false
        var probeStartedNs: UInt64 = 0
        var successes = 0
        var failures = 0
        var timeouts = 0
        var rejections = 0
        var opens = 0
        var lastError: String?
        var lastErrorNs: UInt64?
        var lastTransitionNs: UInt64

        mutating func transition(to s: CircuitBreakerState, now: UInt64) {
            state = s
            epoch &+= 1
            lastTransitionNs = now
            probeOut = false
            switch s {
            case .open:
                opens += 1
                openedAtNs = now
            case .closed:
                consecutiveFailures = 0
            case .halfOpen:
                break
            }
        }
    }

    let configuration: Configuration
    var name: String { configuration.name }
    private let core: Mutex<Core>
    private let clock: @Sendable () -> UInt64
    private let openIntervalNs: UInt64
    private let probeLeaseNs: UInt64

    /// - Parameter clock: monotonic nanoseconds (tests pass a clock they move by hand).
    init(_ configuration: Configuration, clock: @escaping @Sendable () -> UInt64 = MonotonicClock.nowNs) {
        precondition(configuration.failureThreshold >= 1 && configuration.openInterval >= 0)
        self.configuration = configuration
        self.clock = clock
        openIntervalNs = UInt64(configuration.openInterval * 1e9)
        probeLeaseNs = UInt64(max(configuration.openInterval, configuration.callTimeout ?? 0, 0.001) * 1e9)
        core = Mutex(Core(lastTransitionNs: clock()))
    }

    convenience init(name: String, failureThreshold: Int = 5, openInterval: Double = 5, callTimeout: Double? = nil,
                     clock: @escaping @Sendable () -> UInt64 = MonotonicClock.nowNs) {
        self.init(Configuration(name: name, failureThreshold: failureThreshold, openInterval: openInterval,
                                callTimeout: callTimeout), clock: clock)
    }

    // MARK: Calls

    /// Runs `body` if the breaker lets it, recording its success or failure.
    ///
    /// With a call timeout, `body` runs in a task of its own on the hub's executor and the caller
    /// gets `CircuitBreakerError.timedOut` when it takes too long (the work is not stopped: a
    /// blocked SQLite call cannot be interrupted; its late result is dropped). A `CancellationError`
    /// from `body` counts neither way.
    /// - Throws: `CircuitBreakerError.open`/`.probing` without calling `body`; `.timedOut`; or
    ///   whatever `body` threw.
    func call<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let permit = try acquire()
        do {
            let value: T
            if let timeout = configuration.callTimeout {
                value = try await Self.run(body, timeout: timeout, name: name)
            } else {
                value = try await body()
            }
            record(permit, failure: nil)
            return value
        } catch is CancellationError {
            release(permit)
            throw CancellationError()
        } catch {
            record(permit, failure: error)
            throw error
        }
    }

    /// Leave to make one call, or the reason there is none (counted as a rejection).
    /// Every permit must be handed back with `record` (or `release`).
    func acquire() throws(CircuitBreakerError) -> Permit {
        let now = clock()
        let result = core.withLock { c -> Result<Permit, CircuitBreakerError> in
            advance(&c, now: now)
            switch c.state {
            case .closed:
                return .success(Permit(epoch: c.epoch, isProbe: false))
            case .open:
                c.rejections += 1
                let left = c.openedAtNs &+ openIntervalNs &- now
                return .failure(.open(name: name, retryAfter: Double(left) / 1e9))
            case .halfOpen:
                if c.probeOut {
                    c.rejections += 1
                    return .failure(.probing(name: name))
                }
                c.probeOut = true
                c.probeStartedNs = now
                return .success(Permit(epoch: c.epoch, isProbe: true))
            }
        }
        return try result.get()
    }

    /// Records how a permitted call went: `failure` nil is a success.
    func record(_ permit: Permit, failure: (any Error)?) {
        let now = clock()
        core.withLock { c in
            if let failure {
                c.failures += 1
                if case .timedOut? = failure as? CircuitBreakerError { c.timeouts += 1 }
                c.lastError = Self.describe(failure)
                c.lastErrorNs = now
            } else {
                c.successes += 1
            }
            // A result from before the last transition only counts.
            guard permit.epoch == c.epoch else { return }
            switch (c.state, failure == nil) {
            case (.closed, true):
                c.consecutiveFailures = 0
            case (.closed, false):
                c.consecutiveFailures += 1
                if c.consecutiveFailures >= configuration.failureThreshold { c.transition(to: .open, now: now) }
            case (.halfOpen, true) where permit.isProbe:
                c.transition(to: .closed, now: now)
            case (.halfOpen, false) where permit.isProbe:
                c.consecutiveFailures += 1
                c.transition(to: .open, now: now)
            default:
                break
            }
        }
    }

    /// Hands back a permit whose call ended without a verdict (cancelled): a probe slot is freed.
    func release(_ permit: Permit) {
        core.withLock { c in
            if permit.isProbe && permit.epoch == c.epoch && c.state == .halfOpen { c.probeOut = false }
        }
    }

    // MARK: Reading

    /// The state now (an open breaker whose interval is over reads as half-open).
    var state: CircuitBreakerState {
        let now = clock()
        return core.withLock { c in
            advance(&c, now: now)
            return c.state
        }
    }

    /// State and counters now.
    func snapshot() -> CircuitBreakerSnapshot {
        let now = clock()
        return core.withLock { c in
            advance(&c, now: now)
            let retry = c.state == .open ? Double(c.openedAtNs &+ openIntervalNs &- now) / 1e9 : 0
            return CircuitBreakerSnapshot(
                name: name, state: c.state, failureThreshold: configuration.failureThreshold,
                openInterval: configuration.openInterval, callTimeout: configuration.callTimeout,
                consecutiveFailures: c.consecutiveFailures, successes: c.successes, failures: c.failures,
                timeouts: c.timeouts, rejections: c.rejections, opens: c.opens, lastError: c.lastError,
                lastErrorAge: c.lastErrorNs.map { Double(now &- $0) / 1e9 },
                sinceTransition: Double(now &- c.lastTransitionNs) / 1e9, retryAfter: retry)
        }
    }

    // MARK: Helpers

    /// The time-driven transitions: open → half-open when the interval is over; a probe out for
    /// longer than its lease is given up (a new epoch, so its late answer only counts).
    private func advance(_ c: inout Core, now: UInt64) {
        if c.state == .open && now &- c.openedAtNs >= openIntervalNs {
            c.transition(to: .halfOpen, now: now)
        } else if c.state == .halfOpen && c.probeOut && now &- c.probeStartedNs >= probeLeaseNs {
            c.transition(to: .halfOpen, now: now)
        }
    }

    /// An error as health shows it: short, one line, no secrets (errors here carry none).
    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// `body` in a task on the hub's executor, raced against a Dispatch timer.
    private static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T, timeout: Double,
                                         name: String) async throws -> T {
        let once = OnceContinuation<T>()
        return try await withCheckedThrowingContinuation { c in
            once.set(c)
            Task.onHub {
                do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                once.resume(.failure(CircuitBreakerError.timedOut(name: name, after: timeout)))
            }
        }
    }
}

/// A continuation resumed by whichever comes first, the call or its timeout.
private final class OnceContinuation<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ c: CheckedContinuation<T, any Error>) { continuation.withLock { $0 = c } }

    func resume(_ result: Result<T, any Error>) {
        let c = continuation.withLock { c -> CheckedContinuation<T, any Error>? in
            defer { c = nil }
            return c
        }
        c?.resume(with: result)
    }
}

/// One `CircuitBreaker`'s state and counters at a moment, for `/health/circuit-breakers` and
/// `/metrics`. Counters only grow (they are Prometheus counters).
struct CircuitBreakerSnapshot: Sendable, Equatable {
    var name: String
    var state: CircuitBreakerState
    var failureThreshold: Int
    /// Seconds the breaker stays open before it lets a probe through.
    var openInterval: Double
    /// Seconds a call may take before it counts as failed, if the breaker times calls.
    var callTimeout: Double?
    /// Failures in a row since the last success (what trips the breaker at `failureThreshold`).
    var consecutiveFailures: Int
    var successes: Int
    /// Failed calls, timeouts included.
    var failures: Int
    /// Calls that failed by timing out (also counted in `failures`).
    var timeouts: Int
    /// Calls refused without trying (open, or half-open with the probe out).
    var rejections: Int
    /// Times the breaker went to open (from closed, or back from half-open).
    var opens: Int
    /// The last failure's description, if any.
    var lastError: String?
    /// Seconds since the last failure.
    var lastErrorAge: Double?
    /// Seconds since the state last changed (or since the breaker was made).
    var sinceTransition: Double
    /// Seconds until an open breaker lets its probe through (0 unless open).
    var retryAfter: Double
}

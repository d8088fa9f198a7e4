/// Why a `CircuitBreaker` did not run a call, or gave up on one.
enum CircuitBreakerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The breaker is open: the call was refused without trying; `retryAfter` seconds until the
    /// next probe may go through.
    case open(name: String, retryAfter: Double)
    /// The breaker is half-open and its one probe is still out: the call was refused.
    case probing(name: String)
    /// The call took longer than the breaker's call timeout (it counts as a failure; the work
    /// itself may still finish in the background, its result is dropped).
    case timedOut(name: String, after: Double)

    var description: String {
        switch self {
        case .open(let name, let retryAfter):
            return "circuit breaker \(name) is open (next probe in \(HealthRoutes.seconds(retryAfter)) s)"
        case .probing(let name):
            return "circuit breaker \(name) is half-open and its probe is still running"
        case .timedOut(let name, let after):
            return "call through circuit breaker \(name) timed out after \(HealthRoutes.seconds(after)) s"
        }
    }
}

/// Where a `CircuitBreaker` stands: letting calls through, refusing them, or letting one probe
/// through to find out whether the service is back.
enum CircuitBreakerState: String, Sendable, Equatable {
    /// Calls pass; consecutive failures are counted.
    case closed
    /// The open interval is over: the next call is the one probe, every other call is refused
    /// until the probe has answered.
    case halfOpen = "half_open"
    /// Calls are refused at once until the open interval has passed.
    case open

    /// The value of `hub_circuit_breaker_state`: 0 closed, 1 half-open, 2 open.
    var gaugeValue: Int {
        switch self {
        case .closed: return 0
        case .halfOpen: return 1
        case .open: return 2
        }
    }
}

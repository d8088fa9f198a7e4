import Engines

/// Engines get the hub's breakers through the `CallGuard` protocol (Engines knows nothing of Hub).
extension CircuitBreaker: CallGuard {
    var stateName: String { state.rawValue }
}

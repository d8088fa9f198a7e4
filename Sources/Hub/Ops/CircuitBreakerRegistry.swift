import Synchronization

/// Every circuit breaker of a running hub, in the order they were made: the server owns one,
/// `/health/circuit-breakers` and `/metrics` list what it holds.
final class CircuitBreakerRegistry: Sendable {
    private let breakers = Mutex<[CircuitBreaker]>([])

    init() {}

    /// Adds `breaker`; a breaker of the same name is replaced (names are unique in health and metrics).
    func register(_ breaker: CircuitBreaker) {
        breakers.withLock { list in
            if let i = list.firstIndex(where: { $0.name == breaker.name }) { list[i] = breaker } else { list.append(breaker) }
        }
    }

    /// A new breaker, registered.
    @discardableResult
    func make(_ configuration: CircuitBreaker.Configuration) -> CircuitBreaker {
        let breaker = CircuitBreaker(configuration)
        register(breaker)
        return breaker
    }

    /// The breaker called `name`, if any.
    func breaker(named name: String) -> CircuitBreaker? { breakers.withLock { $0.first { $0.name == name } } }

    /// Every breaker, in registration order.
    var all: [CircuitBreaker] { breakers.withLock { $0 } }

    /// Each breaker's snapshot, in registration order.
    func snapshots() -> [CircuitBreakerSnapshot] { all.map { $0.snapshot() } }
}

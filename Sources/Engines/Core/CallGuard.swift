/// A circuit breaker as engines see it (the hub's `CircuitBreaker` conforms): calls through it
/// fail fast while the guarded service keeps failing, and one probe finds out when it is back.
public protocol CallGuard: AnyObject, Sendable {
    /// The name in health and metrics (`engine.dream`, `upstream_llm`).
    var name: String { get }
    /// `closed`, `open` or `half_open`.
    var stateName: String { get }
    /// Runs `body` if the breaker lets it, recording the outcome; throws at once when open.
    func call<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T
}

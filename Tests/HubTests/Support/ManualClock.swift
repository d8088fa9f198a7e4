import Synchronization

/// A monotonic clock a test moves by hand, for the circuit breaker and cache tests.
final class ManualClock: Sendable {
    private let ns = Atomic<UInt64>(1_000_000_000)

    /// Now, in nanoseconds: pass `clock.now` where a `() -> UInt64` clock is asked for.
    var now: @Sendable () -> UInt64 { { [self] in ns.load(ordering: .relaxed) } }

    /// Moves time forward by `seconds`.
    func advance(_ seconds: Double) { ns.add(UInt64(seconds * 1e9), ordering: .relaxed) }
}

/// Counts how often something ran, from any task.
final class Counter: Sendable {
    private let n = Atomic<Int>(0)
    @discardableResult func bump() -> Int { n.add(1, ordering: .relaxed).newValue }
    var value: Int { n.load(ordering: .relaxed) }
}

/// A failure of the tests' own making.
struct TestFailure: Error, CustomStringConvertible, Equatable {
    let message: String
    init(_ message: String = "boom") { self.message = message }
    var description: String { message }
}

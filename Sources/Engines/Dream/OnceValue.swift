import Synchronization

/// A value handed out once: `take()` returns it the first time, nil after.
final class OnceValue<T: Sendable>: Sendable {
    private let value: Mutex<T?>

    init(_ value: T) { self.value = Mutex(value) }

    /// The value the first time, nil after (for an optional `T`, `.some(nil)` the first time).
    func take() -> T? {
        value.withLock { v in
            defer { v = nil }
            return v
        }
    }
}

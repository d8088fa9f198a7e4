/// One connection's engine calls that must run in the order they were sent: its `send`s (a
/// sender's messages are stored, and so delivered, in its order) and `ack`s.
///
/// A `Task` per command would give no order (SWIFT-NOTES "Concurrency"); here one consumer task
/// on the hub's executor runs the calls one after another. Calls queued before `finish` (the
/// connection closed) still run: a `send` the hub has read is stored even if its reply can no
/// longer be sent.
final class EngineCallQueue: Sendable {
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        let (stream, continuation) = AsyncStream<@Sendable () async -> Void>.makeStream(bufferingPolicy: .unbounded)
        self.continuation = continuation
        Task.onHub {
            for await call in stream { await call() }
        }
    }

    /// Runs `call` after every call enqueued before it.
    func enqueue(_ call: @escaping @Sendable () async -> Void) {
        continuation.yield(call)
    }

    /// No more calls: the consumer ends once the queued ones ran.
    func finish() {
        continuation.finish()
    }
}

import Synchronization

/// One connection's engine calls that must run in the order they were sent: its `send`s (a
/// sender's messages are stored, and so delivered, in its order) and `ack`s.
///
/// A `Task` per command would give no order (SWIFT-NOTES "Concurrency"); here one consumer task
/// on the hub's executor runs the calls one after another. Calls queued before `finish` (the
/// connection closed) still run: a `send` the hub has read is stored even if its reply can no
/// longer be sent. Bounded: each `send` waits for a committed write, so a client streaming
/// faster than the disk could otherwise queue without end; past `maxCalls` calls or `maxBytes`
/// of arguments waiting, `enqueue` refuses (the session answers `rate_limited`).
final class EngineCallQueue: Sendable {
    /// Most calls waiting or running.
    let maxCalls: Int
    /// Most bytes of arguments waiting or running (one call is always let in).
    let maxBytes: Int
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation
    private let waiting = Mutex((calls: 0, bytes: 0))

    init(maxCalls: Int = 1024, maxBytes: Int = 4 << 20) {
        self.maxCalls = maxCalls
        self.maxBytes = maxBytes
        let (stream, continuation) = AsyncStream<@Sendable () async -> Void>.makeStream(bufferingPolicy: .unbounded)
        self.continuation = continuation
        Task.onHub {
            for await call in stream { await call() }
        }
    }

    /// Runs `call` after every call enqueued before it; false (and nothing queued) when full.
    @discardableResult
    func enqueue(bytes: Int = 0, _ call: @escaping @Sendable () async -> Void) -> Bool {
        let admitted = waiting.withLock { w -> Bool in
            guard w.calls == 0 || (w.calls < maxCalls && w.bytes + bytes <= maxBytes) else { return false }
            w.calls += 1
            w.bytes += bytes
            return true
        }
        guard admitted else { return false }
        continuation.yield { [self] in
            await call()
            waiting.withLock { w in
                w.calls -= 1
                w.bytes -= bytes
            }
        }
        return true
    }

    /// No more calls: the consumer ends once the queued ones ran.
    func finish() {
        continuation.finish()
    }
}

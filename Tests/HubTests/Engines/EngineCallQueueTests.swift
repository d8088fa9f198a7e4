import Synchronization
import Testing
@testable import Hub

/// The per-connection queue of `send`/`ack`: calls run one at a time in order, and a client
/// that streams faster than they complete is refused past the bound instead of queueing forever.
@Suite struct EngineCallQueueTests {
    /// A gate a call waits at until the test opens it.
    final class Gate: Sendable {
        private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let open = Mutex(false)
        func wait() async {
            await withCheckedContinuation { k in
                let now = open.withLock { o in
                    if !o { waiters.withLock { $0.append(k) } }
                    return o
                }
                if now { k.resume() }
            }
        }
        func release() {
            let ks = open.withLock { o -> [CheckedContinuation<Void, Never>] in
                o = true
                return waiters.withLock { w in defer { w = [] }; return w }
            }
            for k in ks { k.resume() }
        }
    }

    @Test func runsInOrderAndRefusesPastItsBound() async throws {
        let queue = EngineCallQueue(maxCalls: 3, maxBytes: 100)
        let gate = Gate()
        let order = Mutex<[Int]>([])
        #expect(queue.enqueue(bytes: 10) { await gate.wait(); order.withLock { $0.append(1) } })
        #expect(queue.enqueue(bytes: 10) { order.withLock { $0.append(2) } })
        #expect(!queue.enqueue(bytes: 90) { order.withLock { $0.append(-1) } }, "over the byte bound")
        #expect(queue.enqueue(bytes: 10) { order.withLock { $0.append(3) } })
        #expect(!queue.enqueue(bytes: 0) { order.withLock { $0.append(-2) } }, "over the call bound")
        gate.release()
        let done = Gate()
        // Room again once calls finished.
        while !queue.enqueue(bytes: 95, { order.withLock { $0.append(4) }; done.release() }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        await done.wait()
        #expect(order.withLock { $0 } == [1, 2, 3, 4])
        queue.finish()
    }
}

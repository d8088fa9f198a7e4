import Foundation

/// A task executor with one thread of its own, for tests that block.
///
/// Swift Testing runs test functions on the cooperative pool, which has one thread per core. The
/// hub's bus runs on that pool too (shard actors, `BusPort` tasks), so a test that blocks a pool
/// thread on a socket while waiting for the bus can starve the bus and hang (on a 2-core machine
/// two such tests are enough). Running the test's body under `withTaskExecutorPreference` with
/// this executor keeps the blocking off the pool while it stays in the test's task, so `#expect`
/// still records against the right test. Unstructured `Task {}` created inside do not inherit the
/// preference, so the bus keeps using the pool.
final class TestThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String = "test-executor") {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish once its queue is empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Runs blocking `body` on a thread of its own, within the calling test's task.
    static func run<T>(_ body: () throws -> T) async throws -> T {
        let executor = TestThreadExecutor()
        defer { executor.stop() }
        return try await withTaskExecutorPreference(executor) { try body() }
    }
}

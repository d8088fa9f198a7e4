import Dispatch

/// A serial executor over a private serial `DispatchQueue`, so an actor's blocking work (SQLite
/// file I/O, fsync on commit, waiting on another process's write lock) never runs on Swift's
/// cooperative pool, which has one thread per core (two here) and stalls everything when blocked.
///
/// `DispatchSerialQueue` and its `asUnownedSerialExecutor()` are Darwin-only in Swift 6.3 (the
/// type does not exist in Linux's libdispatch overlay), so this is the portable equivalent: each
/// job is submitted to the queue with `async` and run there. A serial queue from
/// `DispatchQueue(label:)` targets libdispatch's overcommit root queue, which starts another
/// worker thread when one blocks instead of waiting for a free core.
final class StoreExecutor: SerialExecutor {
    /// The queue every job of the owning actor runs on.
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    /// Lets `assumeIsolated` and isolation checks recognise code already running on the queue.
    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}

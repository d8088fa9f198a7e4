import Dispatch

/// A task executor of the hub's own: jobs run on a concurrent Dispatch queue, never on Swift's
/// cooperative pool.
///
/// The cooperative pool is only as wide as the machine has cores (2 here), and anything that
/// blocks one of its threads — a blocking test, a slow engine, a library call — would stall the
/// bus behind it. Tasks the hub starts use this executor as their preference (SE-0417), so the
/// bus's actors and the hub's async work run here, and Dispatch adds threads when some block.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    /// The one instance the hub uses.
    public static let shared = DedicatedExecutor(label: "hub.tasks")

    private let queue: DispatchQueue

    /// An executor over a new concurrent queue.
    public init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension Task where Failure == Never {
    /// Starts `operation` on the hub's own executor instead of the cooperative pool.
    @discardableResult
    public static func onHub(_ operation: sending @escaping @isolated(any) () async -> Success) -> Task<Success, Never> {
        Task(executorPreference: DedicatedExecutor.shared, operation: operation)
    }
}

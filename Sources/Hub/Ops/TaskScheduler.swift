import Synchronization

/// The hub's in-process scheduler of named periodic tasks (the admin stream, the revocation
/// watch, history expiry, the WAL checkpoint, cache eviction; engines add theirs).
///
/// Every task has a Dispatch timer of its own (`RepeatingTimer`, off the event loops and off the
/// cooperative pool) whose tick starts a run on the hub's executor; a task never overlaps itself
/// (a tick that finds the previous run going is skipped and counted), and a run that throws is
/// recorded without stopping that task or any other. `/health/background-tasks` shows each
/// task's last run, duration, run count and last error.
final class TaskScheduler: Sendable {
    private struct State {
        var tasks: [ScheduledTask] = []
        var started = false
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> UInt64

    /// - Parameter clock: monotonic nanoseconds for the records (ticks use Dispatch's own clock).
    init(clock: @escaping @Sendable () -> UInt64 = MonotonicClock.nowNs) {
        self.clock = clock
    }

    /// Adds a task that runs `body` every `interval` seconds (the first run one interval after it
    /// starts ticking: at once if the scheduler runs, else at `start()`).
    /// A task of the same name is stopped and replaced.
    @discardableResult
    func add(_ name: String, every interval: Double, _ body: @escaping @Sendable () async throws -> Void) -> ScheduledTask {
        let task = ScheduledTask(name: name, interval: interval, clock: clock, body: body)
        let (replaced, started) = state.withLock { s -> (ScheduledTask?, Bool) in
            var old: ScheduledTask?
            if let i = s.tasks.firstIndex(where: { $0.name == name }) {
                old = s.tasks[i]
                s.tasks[i] = task
            } else {
                s.tasks.append(task)
            }
            return (old, s.started)
        }
        replaced?.stop()
        if started { task.start() }
        return task
    }

    /// Starts every task's timer.
    func start() {
        let tasks = state.withLock { s -> [ScheduledTask] in
            s.started = true
            return s.tasks
        }
        for t in tasks { t.start() }
    }

    /// Stops every timer; runs that are going finish and are recorded, none starts after.
    func stop() {
        let tasks = state.withLock { s -> [ScheduledTask] in
            s.started = false
            return s.tasks
        }
        for t in tasks { t.stop() }
    }

    /// Stops every task and forgets it (a server's shutdown: the tasks' bodies hold the server).
    func removeAll() {
        let tasks = state.withLock { s -> [ScheduledTask] in
            defer { s = State() }
            return s.tasks
        }
        for t in tasks { t.stop() }
    }

    /// The task called `name`, if any.
    func task(named name: String) -> ScheduledTask? { state.withLock { $0.tasks.first { $0.name == name } } }

    /// Every task's record, in the order they were added.
    func snapshots() -> [ScheduledTaskSnapshot] { state.withLock { $0.tasks }.map { $0.snapshot() } }
}

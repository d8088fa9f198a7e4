/// One scheduled task's record at a moment, for `/health/background-tasks`.
struct ScheduledTaskSnapshot: Sendable, Equatable {
    var name: String
    /// Seconds between two ticks.
    var interval: Double
    /// Runs finished, failed ones included.
    var runs: Int
    /// Runs that threw.
    var failures: Int
    /// Ticks skipped because the previous run was still going.
    var skipped: Int
    /// Whether a run is going now.
    var running: Bool
    /// Seconds since the last run started; nil before the first.
    var lastRunAge: Double?
    /// Wall-clock time of the last run's start, Unix milliseconds.
    var lastRunUnixMs: Int64?
    /// Seconds the last finished run took.
    var lastDuration: Double?
    /// What the last failed run threw (kept after later successes, with `lastRunFailed` false).
    var lastError: String?
    /// Whether the last finished run threw.
    var lastRunFailed: Bool
    /// Seconds since the task's timer started; nil while the scheduler is stopped.
    var sinceStart: Double?

    /// How late a task may be before it counts as overdue: three intervals, and never less than
    /// the interval plus 2 s (a busy 2-core machine delays sub-second tasks by that much).
    var grace: Double { max(3 * interval, interval + 2) }

    /// Whether the task has not started a run for longer than `grace` (while scheduled).
    var isOverdue: Bool {
        guard let since = sinceStart else { return false }
        return (lastRunAge ?? since) > grace
    }

    /// `degraded` when the last run failed or the task is overdue, else `ok`.
    var status: HealthStatus { lastRunFailed || isOverdue ? .degraded : .ok }
}

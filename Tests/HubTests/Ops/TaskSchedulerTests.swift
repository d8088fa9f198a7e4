import Synchronization
import Testing
@testable import Hub

/// The scheduler with real, short intervals: it runs tasks periodically, never overlaps a task
/// with itself, records a throwing task's error and keeps it (and the others) running, and stops.
/// Every wait is a `Task.sleep`, so no test holds a cooperative thread.
@Suite struct TaskSchedulerTests {
    /// Polls `condition` every 20 ms for up to `timeout` seconds; whether it held.
    static func eventually(_ timeout: Double = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = TestDeadline(seconds: timeout)
        while !condition() {
            if deadline.hasPassed { return false }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return true
    }

    @Test func runsEachTaskPeriodicallyAndRecordsIt() async throws {
        let scheduler = TaskScheduler()
        let runs = Counter()
        scheduler.add("tick", every: 0.05) { runs.bump() }
        #expect(scheduler.snapshots().first?.sinceStart == nil, "nothing ticks before start")
        scheduler.start()
        defer { scheduler.stop() }
        try #require(try await Self.eventually { runs.value >= 4 })
        let s = try #require(scheduler.snapshots().first)
        #expect(s.name == "tick" && s.interval == 0.05)
        #expect(s.runs >= 3)
        #expect(s.failures == 0 && !s.lastRunFailed && s.lastError == nil)
        #expect((s.lastRunAge ?? 99) < 5)
        #expect(s.lastDuration != nil && s.lastRunUnixMs != nil)
        #expect(s.status == .ok)
    }

    @Test func aSlowTaskNeverOverlapsItself() async throws {
        let scheduler = TaskScheduler()
        let finished = Counter()
        let state = OverlapProbe()
        scheduler.add("slow", every: 0.02) {
            state.enter()
            try await Task.sleep(nanoseconds: 150_000_000)
            state.leave()
            finished.bump()
        }
        scheduler.start()
        defer { scheduler.stop() }
        try #require(try await Self.eventually { finished.value >= 3 })
        let s = try #require(scheduler.task(named: "slow")?.snapshot())
        #expect(state.most == 1, "two runs of one task overlapped")
        #expect(s.skipped >= 3, "ticks during a run are skipped: \(s)")
        #expect((s.lastDuration ?? 0) >= 0.15)
    }

    @Test func aThrowingTaskRecordsItsErrorAndKeepsRunningAsDoOthers() async throws {
        let scheduler = TaskScheduler()
        let good = Counter(), bad = Counter()
        scheduler.add("failing", every: 0.03) {
            let n = bad.bump()
            throw TestFailure("failure \(n)")
        }
        scheduler.add("fine", every: 0.03) { good.bump() }
        scheduler.start()
        defer { scheduler.stop() }
        try #require(try await Self.eventually { bad.value >= 4 && good.value >= 4 })
        try #require(try await Self.eventually { scheduler.task(named: "failing")!.snapshot().runs >= 4 })
        let failing = try #require(scheduler.task(named: "failing")?.snapshot())
        #expect(failing.failures == failing.runs)
        #expect(failing.lastRunFailed)
        #expect(failing.lastError?.hasPrefix("failure ") == true, "\(failing)")
        #expect(failing.status == .degraded)
        let fine = try #require(scheduler.task(named: "fine")?.snapshot())
        #expect(fine.failures == 0 && fine.status == .ok)
    }

    @Test func aTaskThatRecoversIsOkAgainButKeepsItsLastError() async throws {
        let scheduler = TaskScheduler()
        let n = Counter()
        scheduler.add("flaky", every: 0.03) { if n.bump() == 1 { throw TestFailure("first run") } }
        scheduler.start()
        defer { scheduler.stop() }
        try #require(try await Self.eventually { scheduler.snapshots()[0].runs >= 2 })
        let s = scheduler.snapshots()[0]
        #expect(s.failures == 1 && !s.lastRunFailed && s.lastError == "first run")
        #expect(s.status == .ok)
    }

    @Test func stopStops() async throws {
        let scheduler = TaskScheduler()
        let runs = Counter()
        scheduler.add("tick", every: 0.02) { runs.bump() }
        scheduler.start()
        try #require(try await Self.eventually { runs.value >= 2 })
        scheduler.stop()
        try await Task.sleep(nanoseconds: 50_000_000)  // a run that was starting finishes
        let after = runs.value
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(runs.value == after)
        #expect(scheduler.snapshots()[0].sinceStart == nil)
        #expect(scheduler.snapshots()[0].status == .ok, "a stopped task is not overdue")
        scheduler.start()  // and it can start again
        defer { scheduler.stop() }
        try #require(try await Self.eventually { runs.value > after })
    }

    @Test func aTaskAddedWhileRunningStartsAndOneOfTheSameNameIsReplaced() async throws {
        let scheduler = TaskScheduler()
        scheduler.start()
        defer { scheduler.stop() }
        let old = Counter(), new = Counter()
        scheduler.add("job", every: 0.02) { old.bump() }
        try #require(try await Self.eventually { old.value >= 1 })
        scheduler.add("job", every: 0.02) { new.bump() }
        try #require(try await Self.eventually { new.value >= 2 })
        try await Task.sleep(nanoseconds: 50_000_000)
        let settled = old.value
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(old.value == settled, "the replaced task still runs")
        #expect(scheduler.snapshots().map(\.name) == ["job"])
        scheduler.removeAll()
        #expect(scheduler.snapshots().isEmpty)
    }

    /// Overdue is more than three intervals (at least interval + 2 s) without a run start.
    @Test(arguments: [
        (interval: 10.0, age: 29.0, overdue: false), (interval: 10.0, age: 31.0, overdue: true),
        (interval: 0.5, age: 2.4, overdue: false), (interval: 0.5, age: 2.6, overdue: true),
    ])
    func overdueAfterThreeIntervals(interval: Double, age: Double, overdue: Bool) {
        var s = ScheduledTaskSnapshot(name: "t", interval: interval, runs: 1, failures: 0, skipped: 0, running: false,
                                      lastRunAge: age, lastRunUnixMs: 1, lastDuration: 0.001, lastError: nil,
                                      lastRunFailed: false, sinceStart: 1000)
        #expect(s.isOverdue == overdue)
        #expect(s.status == (overdue ? .degraded : .ok))
        // Never run yet: measured from the start of its timer.
        s.lastRunAge = nil
        s.sinceStart = age
        #expect(s.isOverdue == overdue)
    }
}

/// Tracks how many runs are inside a task body at once, and the most ever.
final class OverlapProbe: Sendable {
    private let state = Mutex((now: 0, most: 0))
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
}

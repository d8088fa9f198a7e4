import Glibc

/// A point in monotonic time a few seconds ahead, for bounding the waits of one test step.
struct TestDeadline {
    private let end: Double

    /// A deadline `seconds` from now.
    init(seconds: Double) {
        end = TestDeadline.now() + seconds
    }

    /// Seconds left, never negative.
    var remaining: Double { max(0, end - TestDeadline.now()) }

    /// Whether the deadline has passed.
    var hasPassed: Bool { TestDeadline.now() >= end }

    /// Monotonic seconds since an arbitrary origin.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns
    /// whether it held.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = TestDeadline(seconds: timeout)
        while true {
            if condition() { return true }
            if deadline.hasPassed { return false }
            usleep(5_000)
        }
    }
}

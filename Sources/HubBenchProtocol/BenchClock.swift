#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Monotonic nanoseconds from `clock_gettime(CLOCK_MONOTONIC)`: cheaper to read and to subtract
/// than `ContinuousClock.Instant`/`Duration`, and the read sits outside the timed batches anyway.
enum BenchClock {
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

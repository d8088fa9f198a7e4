#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant formatted as RFC 3339 UTC with milliseconds, `2026-12-04T11:00:00.123Z`.
///
/// Built from `clock_gettime(CLOCK_REALTIME)` and `gmtime_r` with hand-written digits because
/// Foundation's `DateFormatter` costs microseconds per call and every log line needs one.
struct LogTimestamp: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    var seconds: Int
    /// Nanoseconds within the second, 0..<1_000_000_000.
    var nanoseconds: Int

    init(seconds: Int, nanoseconds: Int) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The current wall-clock time.
    static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// Appends the 24-byte RFC 3339 form (no quotes) to `out`.
    func append(to out: inout [UInt8]) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(nanoseconds / 1_000_000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// The RFC 3339 form as a `String`, for tests and diagnostics.
    var formatted: String {
        var out: [UInt8] = []
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Appends `value` in decimal, left-padded with zeros to `width` digits.
private func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
    var value = value
    if value < 0 {
        out.append(UInt8(ascii: "-"))
        value = -value
    }
    var digits: [UInt8] = []
    repeat {
        digits.append(UInt8(ascii: "0") + UInt8(value % 10))
        value /= 10
    } while value > 0
    if digits.count < width {
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count))
    }
    out.append(contentsOf: digits.reversed())
}

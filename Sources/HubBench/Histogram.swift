/// A log-linear latency histogram in nanoseconds (HDR-like): exact below 128 ns, then 64
/// sub-buckets per power of two, so every reported value is within 1.6 % of the truth.
struct Histogram {
    private static let bucketCount = 64 * 59
    private var counts = [UInt64](repeating: 0, count: Histogram.bucketCount)
    private(set) var total: UInt64 = 0
    private(set) var maxValue: UInt64 = 0
    private(set) var sum: UInt64 = 0

    @inline(__always)
    private static func index(_ v: UInt64) -> Int {
        if v < 128 { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount
        let shift = msb - 6
        return (shift + 1) * 64 + Int(v >> UInt64(shift)) - 64
    }

    private static func value(at i: Int) -> UInt64 {
        if i < 128 { return UInt64(i) }
        let shift = i / 64 - 1
        let sub = UInt64(i % 64 + 64)
        return (sub << UInt64(shift)) + (UInt64(1) << UInt64(shift)) / 2
    }

    @inline(__always)
    mutating func record(_ ns: UInt64) {
        counts[Self.index(ns)] &+= 1
        total &+= 1
        sum &+= ns
        if ns > maxValue { maxValue = ns }
    }

    mutating func merge(_ other: Histogram) {
        for i in 0..<counts.count { counts[i] &+= other.counts[i] }
        total &+= other.total
        sum &+= other.sum
        maxValue = max(maxValue, other.maxValue)
    }

    /// The value at quantile q (0...1), in ns.
    func percentile(_ q: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = UInt64((Double(total) * q).rounded(.up))
        var seen: UInt64 = 0
        for i in 0..<counts.count {
            seen &+= counts[i]
            if seen >= max(rank, 1) { return min(Self.value(at: i), maxValue) }
        }
        return maxValue
    }

    var mean: UInt64 { total == 0 ? 0 : sum / total }
}

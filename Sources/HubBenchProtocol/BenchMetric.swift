/// One figure a benchmark reports, derived from the time a batch of work took.
struct BenchMetric {
    /// How the figure follows from `perBatch` units done in some seconds.
    enum Kind {
        /// Units per second divided by `divisor` (e.g. 1e6 for "M frames/s" or "MB/s").
        case rate(divisor: Double)
        /// Microseconds per unit (lower is better).
        case microsPer
    }

    /// Suffix of the machine-readable name, e.g. `mfps` → `parser_64B_mfps`.
    let key: String
    /// The unit as printed and written to JSON, e.g. `Mframes/s`.
    let unit: String
    /// Units (frames, bytes, messages) done by one call of the benchmark's body.
    let perBatch: Double
    let kind: Kind

    /// The figure for `batches` calls of the body that took `nanos` nanoseconds.
    func value(batches: Int, nanos: UInt64) -> Double {
        let seconds = Double(nanos) / 1e9
        let units = perBatch * Double(batches)
        switch kind {
        case .rate(let divisor): return units / seconds / divisor
        case .microsPer: return seconds * 1e6 / units
        }
    }

    /// Millions of `what` per second.
    static func millions(_ what: String, key: String, perBatch: Int) -> BenchMetric {
        BenchMetric(key: key, unit: "M\(what)/s", perBatch: Double(perBatch), kind: .rate(divisor: 1e6))
    }

    /// Megabytes (10^6 bytes) per second.
    static func megabytes(perBatch bytes: Int) -> BenchMetric {
        BenchMetric(key: "mbps", unit: "MB/s", perBatch: Double(bytes), kind: .rate(divisor: 1e6))
    }

    /// Microseconds per `what`.
    static func micros(per what: String, perBatch: Int) -> BenchMetric {
        BenchMetric(key: "us", unit: "µs/\(what)", perBatch: Double(perBatch), kind: .microsPer)
    }
}

/// The figures of one metric of one benchmark over its timed runs.
struct BenchResult {
    /// The benchmark's name, e.g. `parser_64B`.
    let benchmark: String
    let metric: BenchMetric
    /// One figure per timed run, in run order.
    let runs: [Double]

    /// `benchmark_key`, as in the machine-readable summary line.
    var name: String { "\(benchmark)_\(metric.key)" }
    var median: Double { runs.sorted()[runs.count / 2] }
    var min: Double { runs.min() ?? 0 }
    var max: Double { runs.max() ?? 0 }

    /// One JSON object: name, unit, median, min, max, runs.
    var json: String {
        let list = runs.map { BenchFormat.fixed($0, 4) }.joined(separator: ", ")
        return "{\"name\": \"\(name)\", \"unit\": \"\(metric.unit)\", \"median\": \(BenchFormat.fixed(median, 4)), "
            + "\"min\": \(BenchFormat.fixed(min, 4)), \"max\": \(BenchFormat.fixed(max, 4)), \"runs\": [\(list)]}"
    }
}

/// Number formatting without Foundation.
enum BenchFormat {
    /// `x` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = x < 0
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e18 else { return String(x) }
        let n = UInt64(scaled)
        let s = UInt64(scale)
        var out = negative && n != 0 ? "-" : ""
        out += String(n / s)
        if decimals > 0 {
            let frac = String(n % s)
            out += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return out
    }

    /// Three significant-ish digits: enough for noisy figures, short enough to read.
    static func short(_ x: Double) -> String {
        let a = abs(x)
        return fixed(x, a >= 1000 ? 0 : (a >= 100 ? 1 : (a >= 10 ? 2 : 3)))
    }

    static func padRight(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}

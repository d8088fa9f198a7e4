/// Times benchmark bodies: a warm-up, then `runs` timed runs of at least `runNanos` each; every
/// run's figure is computed from its own batch count, so a slow warm-up cannot shorten a run.
///
/// A body does one batch of work (many frames, or one 64 KiB buffer) and returns a checksum that
/// is folded into `checksum` and printed, so the optimizer cannot drop the work. A batch should
/// take ≥ 10 µs so the two clock reads per batch (~50 ns) stay below 0.5 %.
struct BenchRunner {
    let options: BenchOptions
    private(set) var results: [BenchResult] = []
    private(set) var checksum: UInt64 = 0

    init(options: BenchOptions) {
        self.options = options
    }

    /// Whether `name` passes `--filter`; fixtures of skipped benchmarks need not be built.
    func wants(_ name: String) -> Bool {
        options.filter.map { name.contains($0) } ?? true
    }

    /// Runs `body` as benchmark `name`, reporting each of `metrics` (the first is the headline).
    @inline(never)
    mutating func run(_ name: String, _ metrics: [BenchMetric], _ body: () -> UInt64) {
        guard wants(name) else { return }
        var sum: UInt64 = 0
        let warmStart = BenchClock.now()
        while BenchClock.now() &- warmStart < options.warmupNanos { sum &+= body() }

        var batches: [Int] = []
        var nanos: [UInt64] = []
        for _ in 0..<options.runs {
            var n = 0
            let start = BenchClock.now()
            var elapsed: UInt64 = 0
            repeat {
                sum &+= body()
                n += 1
                elapsed = BenchClock.now() &- start
            } while elapsed < options.runNanos
            batches.append(n)
            nanos.append(elapsed)
        }
        checksum &+= sum

        var line = BenchFormat.padRight(name, 18)
        for (index, metric) in metrics.enumerated() {
            let values = zip(batches, nanos).map { metric.value(batches: $0, nanos: $1) }
            let result = BenchResult(benchmark: name, metric: metric, runs: values)
            results.append(result)
            if index > 0 { line += "  |" }
            line += " " + BenchFormat.padLeft(BenchFormat.short(result.median), 8) + " "
                + BenchFormat.padRight(metric.unit, 10)
                + " (" + BenchFormat.short(result.min) + "–" + BenchFormat.short(result.max) + ")"
        }
        print(line)
    }
}

/// Command-line flags of `hub-bench-protocol`.
///
/// `--quick` is for the smoke test: three short runs per benchmark instead of five long ones, so
/// the whole suite finishes in a couple of seconds. Figures from a quick run are not comparable.
struct BenchOptions {
    /// Runs per benchmark; the median of these is reported.
    var runs = 5
    /// Minimum wall time of one run, in nanoseconds.
    var runNanos: UInt64 = 250_000_000
    /// Time spent warming up (and calibrating the iteration count) before the timed runs.
    var warmupNanos: UInt64 = 100_000_000
    /// Where to also write the results as JSON, if anywhere.
    var jsonPath: String?
    /// Only benchmarks whose name contains this substring run (for profiling one of them).
    var filter: String?
    /// Whether `--quick` was given.
    var quick = false

    static let usage = """
        usage: hub-bench-protocol [--quick] [--json FILE] [--filter SUBSTRING]
          --quick          3 short runs per benchmark (smoke test; figures not comparable)
          --json FILE      also write the results as JSON to FILE
          --filter S       run only the benchmarks whose name contains S
        """

    /// Parses `arguments` (without the program name); a failure carries the message for a bad flag.
    static func parse(_ arguments: [String]) -> Result<BenchOptions, BenchUsageError> {
        var o = BenchOptions()
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--quick":
                o.quick = true
                o.runs = 3
                o.runNanos = 20_000_000
                o.warmupNanos = 10_000_000
            case "--json", "--filter":
                guard i + 1 < arguments.count else { return .failure(BenchUsageError("\(arguments[i]) needs a value")) }
                if arguments[i] == "--json" { o.jsonPath = arguments[i + 1] } else { o.filter = arguments[i + 1] }
                i += 1
            case "-h", "--help":
                return .failure(BenchUsageError(nil))
            default:
                return .failure(BenchUsageError("unknown argument \(arguments[i])"))
            }
            i += 1
        }
        return .success(o)
    }
}

/// A bad command line; `message` is nil for `--help`.
struct BenchUsageError: Error {
    let message: String?
    init(_ message: String?) { self.message = message }
}

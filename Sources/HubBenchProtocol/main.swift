#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// hub-bench-protocol: release-mode micro-benchmarks of WSProtocol (see docs/BENCHMARKS.md).
// Build with `swift build -c release --product hub-bench-protocol`; a debug build's figures mean nothing.

let options: BenchOptions
switch BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let o):
    options = o
case .failure(let e):
    if let message = e.message {
        print("hub-bench-protocol: \(message)\n\(BenchOptions.usage)")
        exit(2)
    }
    print(BenchOptions.usage)
    exit(0)
}

#if DEBUG
print("warning: debug build; build with -c release for meaningful figures")
#endif
let mode = options.quick ? "quick: \(options.runs) runs × ≥ 20 ms" : "\(options.runs) runs × ≥ 250 ms after 100 ms warm-up"
print("hub-bench-protocol (\(mode); median (min–max); MB = 10^6 bytes)")

var runner = BenchRunner(options: options)
ProtocolBenchmarks.all(&runner)

print("checksum=\(runner.checksum)")
if let path = options.jsonPath {
    let entries = runner.results.map { "    " + $0.json }.joined(separator: ",\n")
    let json = "{\n  \"tool\": \"hub-bench-protocol\",\n  \"quick\": \(options.quick),\n  \"results\": [\n\(entries)\n  ]\n}\n"
    guard let file = fopen(path, "w") else {
        print("hub-bench-protocol: cannot write \(path)")
        exit(1)
    }
    fputs(json, file)
    fclose(file)
}
let summary = runner.results.map { "\($0.name)=\(BenchFormat.fixed($0.median, 3))" }.joined(separator: " ")
print("hub-bench-protocol: \(summary)")

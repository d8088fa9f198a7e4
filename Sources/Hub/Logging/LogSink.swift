/// Where finished log lines go; swapped for `MemoryLogSink` in tests.
///
/// A sink receives one complete line (JSON object plus `\n`) per call and must write it as a unit,
/// so lines from several event-loop threads never interleave.
protocol LogSink: Sendable {
    /// Writes one complete, newline-terminated log line.
    func write(line: [UInt8])
}

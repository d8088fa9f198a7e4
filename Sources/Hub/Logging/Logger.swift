/// A structured JSON logger: one object per line, fields in the order given, on a swappable sink.
///
/// A value type like swift-log's `Logger`: copy it and change `level` or `label` per component.
/// The level check comes before anything else, and the event and fields are autoclosures, so a
/// disabled `trace` on a hot path costs one integer comparison and allocates nothing.
struct Logger: Sendable {
    /// Written as the `label` field after `level` when set, e.g. `"loop-1"` or `"storage"`.
    let label: String?
    /// Records below this level are dropped without evaluating their event or fields.
    var level: LogLevel
    /// Where finished lines go.
    let sink: any LogSink

    /// - Parameters:
    ///   - label: a component name written on every line, or `nil` for none.
    ///   - level: the lowest level written.
    ///   - sink: the destination; stderr unless a test swaps in a `MemoryLogSink`.
    init(label: String? = nil, level: LogLevel = .info, sink: any LogSink = StderrLogSink()) {
        self.label = label
        self.level = level
        self.sink = sink
    }

    /// A copy of this logger with another label, sharing the sink and level.
    func withLabel(_ label: String?) -> Logger {
        Logger(label: label, level: level, sink: sink)
    }

    /// Whether a record at `level` would be written; for guarding work outside a `log` call.
    func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Writes one record if `level` is enabled.
    /// - Parameters:
    ///   - event: a short snake_case name such as `"listening"`; evaluated only when enabled.
    ///   - fields: key/value pairs written after `event` in this order; evaluated only when enabled.
    func log(
        _ level: LogLevel,
        _ event: @autoclosure () -> String,
        _ fields: @autoclosure () -> [(String, LogValue)] = []
    ) {
        guard level >= self.level else { return }
        let line = LogLineEncoder.encode(
            time: .now(), level: level, label: label, event: event(), fields: fields())
        sink.write(line: line)
    }

    /// Logs at `.trace`: per-frame detail, off by default.
    func trace(_ event: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        log(.trace, event(), fields())
    }

    /// Logs at `.debug`: per-connection detail.
    func debug(_ event: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        log(.debug, event(), fields())
    }

    /// Logs at `.info`: lifecycle events an operator wants to see.
    func info(_ event: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        log(.info, event(), fields())
    }

    /// Logs at `.warning`: something went wrong but the hub carries on.
    func warning(_ event: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        log(.warning, event(), fields())
    }

    /// Logs at `.error`: a failure an operator must look at.
    func error(_ event: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        log(.error, event(), fields())
    }
}

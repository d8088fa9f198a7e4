/// How severe a log record is; records below a logger's level are dropped before they are built.
///
/// The raw values order the levels so `Comparable` is a plain integer comparison on the hot path.
enum LogLevel: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    case trace
    case debug
    case info
    case warning
    case error

    /// Parses the lowercase name used on the command line and in the log output (case-insensitive).
    init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    /// The name written in the `level` field of every log line.
    var name: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    var description: String { name }

    static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

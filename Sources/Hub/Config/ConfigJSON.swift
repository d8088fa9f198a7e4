/// A JSON value from the config file, numbers kept as their literal text.
///
/// Keeping the text lets a number go through the same option parser as a flag value, so
/// `"port": 70000` and `--port 70000` fail with the same message. Objects keep their key order
/// so errors are reported in file order.
enum ConfigJSON: Sendable, Equatable, CustomStringConvertible {
    case object([(key: String, value: ConfigJSON)])
    case array([ConfigJSON])
    case string(String)
    /// The number exactly as written, e.g. `25`, `0.5`, `1e6`.
    case number(String)
    case bool(Bool)
    case null

    /// Compact JSON text, for error messages.
    var description: String {
        switch self {
        case .object(let members):
            return "{" + members.map { ConfigJSON.string($0.key).description + ":" + $0.value.description }
                .joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        case .string(let string):
            var out: [UInt8] = []
            LogLineEncoder.appendString(string, to: &out)
            return String(decoding: out, as: UTF8.self)
        case .number(let text): return text
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return "null"
        }
    }

    static func == (lhs: ConfigJSON, rhs: ConfigJSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }
}

/// One field value of a structured log record, limited to what a JSON scalar can carry.
///
/// The literal conformances let call sites write `("port", 8080)` or `("url", "ws://\(host)")`
/// without wrapping; `.string(p)` is needed only for a non-literal `String`.
enum LogValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// Written as JSON `null`.
    case null
}

extension LogValue: ExpressibleByStringInterpolation {
    init(stringLiteral value: String) { self = .string(value) }
}

extension LogValue: ExpressibleByIntegerLiteral {
    init(integerLiteral value: Int) { self = .int(value) }
}

extension LogValue: ExpressibleByFloatLiteral {
    init(floatLiteral value: Double) { self = .double(value) }
}

extension LogValue: ExpressibleByBooleanLiteral {
    init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension LogValue: ExpressibleByNilLiteral {
    init(nilLiteral: ()) { self = .null }
}

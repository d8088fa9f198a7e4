/// Parses and validates the text of one option value; shared by flags, environment and file.
///
/// Every value arrives as text (JSON numbers keep their literal text), so one parser per kind
/// gives the same rules and messages wherever a value comes from. Errors are `.badValue`;
/// `ConfigLoader` adds the name and source.
enum ConfigValueParser {
    /// The words accepted as booleans, case-insensitive.
    static let trueWords: Set<String> = ["true", "1", "yes", "on"]
    static let falseWords: Set<String> = ["false", "0", "no", "off"]

    /// Largest size accepted: big enough for any real limit, small enough that adding a frame
    /// header or multiplying by a small factor cannot overflow `Int`.
    static let maxSize = 1 << 40

    /// Longest duration accepted (a year): keeps conversions to nanoseconds far from overflow.
    static let maxDuration: Double = 31_536_000

    /// An integer in `range`. An integral number in exponent form (`1e6`, `8080.0`) is accepted
    /// too, since JSON writers emit such numbers.
    static func integer(_ text: String, in range: ClosedRange<Int>, expected: String) throws(ConfigError) -> Int {
        guard let value = integerValue(text), range.contains(value) else {
            throw .badValue(value: text, expected: expected)
        }
        return value
    }

    /// A size in bytes, at least `minimum`.
    static func size(_ text: String, minimum: Int = 1) throws(ConfigError) -> Int {
        try integer(text, in: minimum...maxSize, expected: "an integer \(minimum)...\(maxSize) (bytes)")
    }

    /// A positive, finite number of seconds.
    static func duration(_ text: String) throws(ConfigError) -> Double {
        let expected = "a number of seconds > 0 and ≤ \(Int(maxDuration))"
        guard isDecimal(text), let value = Double(text), value.isFinite, value > 0, value <= maxDuration else {
            throw .badValue(value: text, expected: expected)
        }
        return value
    }

    /// A boolean word: true/false, 1/0, yes/no, on/off.
    static func boolean(_ text: String) throws(ConfigError) -> Bool {
        let word = text.lowercased()
        if trueWords.contains(word) { return true }
        if falseWords.contains(word) { return false }
        throw .badValue(value: text, expected: "a boolean: true/false, 1/0, yes/no or on/off")
    }

    /// Whether `text` is one of the boolean words; decides if a bare boolean flag takes the next argument.
    static func isBooleanWord(_ text: String) -> Bool {
        let word = text.lowercased()
        return trueWords.contains(word) || falseWords.contains(word)
    }

    /// A log level name.
    static func logLevel(_ text: String) throws(ConfigError) -> LogLevel {
        guard let level = LogLevel(name: text) else {
            throw .badValue(value: text, expected: "one of trace, debug, info, warning, error")
        }
        return level
    }

    /// Deflate window bits 8...15 (RFC 7692 §7.1.2), or `none` for no request.
    static func windowBits(_ text: String) throws(ConfigError) -> Int? {
        if text.lowercased() == "none" { return nil }
        return try integer(text, in: 8...15, expected: "an integer 8...15 or none")
    }

    /// A host name or address: non-empty, no whitespace or control characters.
    static func host(_ text: String) throws(ConfigError) -> String {
        guard !text.isEmpty, !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .badValue(value: text, expected: "a host name or IP address")
        }
        return text
    }

    /// A file-system path: non-empty.
    static func path(_ text: String) throws(ConfigError) -> String {
        guard !text.isEmpty, !text.utf8.contains(0) else {
            throw .badValue(value: text, expected: "a non-empty path")
        }
        return text
    }

    /// A comma-separated list of subprotocol names; empty text is the empty list.
    static func subprotocols(_ text: String) throws(ConfigError) -> [String] {
        if text.isEmpty { return [] }
        return try subprotocols(text.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                                original: text)
    }

    /// A list of subprotocol names, each an HTTP token (RFC 6455 §4.1, RFC 7230 §3.2.6).
    static func subprotocols(_ names: [String], original: String? = nil) throws(ConfigError) -> [String] {
        for name in names where !isToken(name) {
            throw .badValue(value: original ?? name, expected: "subprotocol names that are HTTP tokens, comma-separated")
        }
        return names
    }

    /// A list of engine names, each one this build has (`HubConfig.knownEngines`); blanks are
    /// dropped, so an empty value runs no engine.
    static func engines(_ names: [String], original: String) throws(ConfigError) -> [String] {
        var out: [String] = []
        for raw in names {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            guard HubConfig.knownEngines.contains(name) else {
                throw .badValue(value: original, expected: "engine names from \(HubConfig.knownEngines.joined(separator: ", "))")
            }
            if !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// RFC 7230 `token`: one or more visible ASCII characters except separators.
    static func isToken(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    private static func integerValue(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard isDecimal(text), let double = Double(text), double.isFinite, double == double.rounded(),
              abs(double) < 9_007_199_254_740_992 else { return nil }
        return Int(double)
    }

    /// Only digits, sign, point and exponent: rules out `inf`, `nan` and hex floats `Double` accepts.
    private static func isDecimal(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
        }
    }
}

/// The few JSON pieces the dream engine writes by hand: replies and pushes with a fixed key
/// order (`{"token":…,"index":…}`), so watchers and tests see the same bytes every time.
enum DreamJSON {
    /// `text` as a JSON string literal (RFC 8259 §7: quote, backslash and controls escaped).
    static func string(_ text: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 2)
        for s in text.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where s.value < 0x20:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(s)
            }
        }
        return out + "\""
    }

    /// An object from already-encoded values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func bool(_ b: Bool) -> String { b ? "true" : "false" }
}

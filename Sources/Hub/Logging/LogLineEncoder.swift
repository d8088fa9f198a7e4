/// Turns one log record into one line of JSON: `{"time":…,"level":…,"event":…,<fields>}\n`.
///
/// Hand-written so that field order is exactly the caller's (a dictionary would reorder them),
/// and so that a line costs one byte array and no `Foundation` on the logging path.
enum LogLineEncoder {
    /// Encodes a record; `label` (when present) is written between `level` and `event`.
    static func encode(
        time: LogTimestamp,
        level: LogLevel,
        label: String?,
        event: String,
        fields: [(String, LogValue)]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + event.utf8.count + fields.count * 24)
        out.append(contentsOf: #"{"time":""#.utf8)
        time.append(to: &out)
        out.append(contentsOf: #"","level":""#.utf8)
        out.append(contentsOf: level.name.utf8)
        out.append(UInt8(ascii: "\""))
        if let label {
            out.append(contentsOf: #","label":"#.utf8)
            appendString(label, to: &out)
        }
        out.append(contentsOf: #","event":"#.utf8)
        appendString(event, to: &out)
        for (key, value) in fields {
            out.append(UInt8(ascii: ","))
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendValue(value, to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// Appends a JSON value; non-finite doubles have no JSON form and become `null`.
    static func appendValue(_ value: LogValue, to out: inout [UInt8]) {
        switch value {
        case .string(let string): appendString(string, to: &out)
        case .int(let int): out.append(contentsOf: String(int).utf8)
        case .double(let double):
            if double.isFinite {
                out.append(contentsOf: double.description.utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .bool(let bool): out.append(contentsOf: (bool ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    /// Appends a quoted JSON string (RFC 8259 §7): `"` and `\` escaped, every control character
    /// below U+0020 as a short escape or `\u00XX`; other UTF-8 passes through unchanged.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

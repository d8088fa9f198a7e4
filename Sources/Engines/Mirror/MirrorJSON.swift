/// Reads the little the mirroring engine needs from JSON bytes the hub has already validated:
/// a top-level string, or a string member of a top-level object. Not a general parser: on
/// anything unexpected it answers nil.
public enum MirrorJSON {
    /// The analysed text of a publication's `data`: `data` when it is a string, else `data.text`
    /// when that is a string; nil otherwise.
    public static func text(ofData bytes: [UInt8]) -> String? {
        var i = 0
        skipSpace(bytes, &i)
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "\"") { return string(bytes, &i) }
        return string(member: "text", in: bytes)
    }

    /// The string member `key` of a top-level object, nil when absent or not a string.
    public static func string(member key: String, in bytes: [UInt8]) -> String? {
        var i = 0
        skipSpace(bytes, &i)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            skipSpace(bytes, &i)
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "\""), let name = string(bytes, &i) else { return nil }
            skipSpace(bytes, &i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace(bytes, &i)
            guard i < bytes.count else { return nil }
            if name == key { return bytes[i] == UInt8(ascii: "\"") ? string(bytes, &i) : nil }
            guard skipValue(bytes, &i) else { return nil }
        }
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    /// Skips one value starting at `i` (strings, nested objects and arrays, scalars).
    private static func skipValue(_ b: [UInt8], _ i: inout Int) -> Bool {
        var depth = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\""):
                guard string(b, &i) != nil else { return false }
                if depth == 0 { return true }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }  // the end of the enclosing object
                depth -= 1
                if depth == 0 { i += 1; return true }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            default:
                break
            }
            i += 1
        }
        return depth == 0
    }

    /// The string starting at the quote at `i`, escapes decoded; `i` ends after the closing quote.
    static func string(_ b: [UInt8], _ i: inout Int) -> String? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < b.count else { return nil }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(b, i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 5 < b.count, b[i] == UInt8(ascii: "\\"),
                   b[i + 1] == UInt8(ascii: "u"), let low = hex4(b, i + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)  // \" \\ \/
            }
        }
        return nil
    }

    private static func hex4(_ b: [UInt8], _ i: Int) -> UInt32? {
        guard i + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = b[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}

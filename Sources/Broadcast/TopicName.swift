/// Topic names: `[A-Za-z0-9_.:@-]{1,128}` (PROTOCOL.md "Topics"); the part before the first `.`
/// is the namespace whose rules apply.
///
/// Checked on the bytes, so a valid name never needs JSON escaping when it is written back into
/// pushes and never needs normalising (it is ASCII).
public enum TopicName {
    /// The longest name allowed, in bytes (which are characters, all being ASCII).
    public static let maxLength = 128

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isValid($0) }
    }

    /// Whether the UTF-8 bytes `name` follow the rule.
    public static func isValid(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...maxLength).contains(name.count) else { return false }
        for byte in name where !isAllowed(byte) { return false }
        return true
    }

    /// Whether one byte may appear in a name.
    @inline(__always)
    public static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
            UInt8(ascii: "@"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The namespace of a topic: everything before the first `.`, or the whole name.
    public static func namespace(of name: String) -> Substring {
        if let dot = name.firstIndex(of: ".") { return name[..<dot] }
        return name[...]
    }
}

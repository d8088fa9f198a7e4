/// Topic names: `[A-Za-z0-9_.:@-]{1,128}` (PROTOCOL.md "Topics"); the part before the first `.`
/// is the namespace whose rules apply.
public enum TopicName {
    /// The longest name allowed.
    public static let maxLength = 128

    /// Whether `name` is a valid topic name.
    public static func isValid(_ name: String) -> Bool {
        var count = 0
        for b in name.utf8 {
            count += 1
            if count > maxLength { return false }
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return count > 0
    }

    /// The namespace of a topic: everything before the first `.`, or the whole name.
    public static func namespace(of name: String) -> Substring {
        if let dot = name.firstIndex(of: ".") { return name[..<dot] }
        return name[...]
    }
}

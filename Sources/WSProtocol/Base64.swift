/// Base64 with the standard alphabet and padding (RFC 4648 §4), for `Sec-WebSocket-Key` and
/// `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).
///
/// Decoding is strict (RFC 4648 §3.3, §3.5): no whitespace, no characters outside the alphabet,
/// length a multiple of four, `=` only as final padding, and pad bits zero, so a key has exactly
/// one accepted spelling.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The padded base64 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = bytes[i], b1 = n > 1 ? bytes[i + 1] : 0, b2 = n > 2 ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(n > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : ASCII.equals)
            out.append(n > 2 ? alphabet[Int(b2 & 0x3F)] : ASCII.equals)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes encoded by `text`, or nil if it is not canonical padded base64.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            let isLast = i + 4 == chars.count
            let pad = isLast ? (chars[i + 3] == ASCII.equals ? (chars[i + 2] == ASCII.equals ? 2 : 1) : 0) : 0
            var v: [UInt8] = [0, 0, 0, 0]
            for j in 0..<(4 - pad) {
                guard let d = value(chars[i + j]) else { return nil }
                v[j] = d
            }
            out.append(v[0] << 2 | v[1] >> 4)
            switch pad {
            case 0:
                out.append(v[1] << 4 | v[2] >> 2)
                out.append(v[2] << 6 | v[3])
            case 1:
                guard v[2] & 0x03 == 0 else { return nil }
                out.append(v[1] << 4 | v[2] >> 2)
            default:
                guard v[1] & 0x0F == 0 else { return nil }
            }
            i += 4
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}

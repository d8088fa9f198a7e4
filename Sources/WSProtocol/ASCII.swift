/// Byte-level helpers for HTTP's ASCII grammar (RFC 9110 §5.6), written here because the module
/// stays on the stdlib only (no Foundation) and these run on every handshake.
enum ASCII {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    /// `tchar` of RFC 9110 §5.6.2: the characters allowed in a token (method, header name, ...).
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// Optional whitespace (OWS, RFC 9110 §5.6.3): SP or HTAB.
    static func isOWS(_ b: UInt8) -> Bool { b == space || b == tab }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func lowercased(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Compares two strings ignoring ASCII case only, as HTTP does for field names (RFC 9110 §5.1).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where lowercased(p) != lowercased(q) { return false }
        return true
    }

    /// Lowercases ASCII letters only; other bytes are kept so UTF-8 stays intact.
    static func lowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { lowercased($0) }, as: UTF8.self)
    }

    /// Removes leading and trailing OWS (RFC 9110 §5.5: field values exclude surrounding whitespace).
    static func trimmingOWS(_ s: Substring) -> Substring {
        var u = s.utf8[...]
        while let f = u.first, isOWS(f) { u = u.dropFirst() }
        while let l = u.last, isOWS(l) { u = u.dropLast() }
        return Substring(u)
    }

    static func trimmingOWS(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var u = bytes
        while let f = u.first, isOWS(f) { u = u.dropFirst() }
        while let l = u.last, isOWS(l) { u = u.dropLast() }
        return u
    }

    /// Splits a comma-separated list (RFC 9110 §5.6.1) into trimmed, non-empty elements.
    static func listElements(_ values: [String]) -> [Substring] {
        var out: [Substring] = []
        for v in values {
            for part in v.split(separator: ",", omittingEmptySubsequences: false) {
                let t = trimmingOWS(part)
                if !t.isEmpty { out.append(t) }
            }
        }
        return out
    }

    /// Parses a plain decimal without sign or leading zeros (RFC 7692 §7.1.2.1 window bits).
    static func plainDecimal(_ s: Substring) -> Int? {
        let u = s.utf8
        guard let first = u.first, u.count <= 9, u.allSatisfy(isDigit) else { return nil }
        if first == 0x30 && u.count > 1 { return nil }
        var n = 0
        for b in u { n = n * 10 + Int(b - 0x30) }
        return n
    }
}

/// A strict RFC 8259 scanner over raw bytes: it checks syntax and reports where values are,
/// without building any tree.
///
/// This is the hot path of every command (ARCHITECTURE.md decision 5): the command parser reads
/// the few fields it needs through it and keeps `data` as the byte range `skipValue` returns, so a
/// publication's payload is validated once and then spliced into pushes unchanged.
///
/// Strictness (RFC 8259): no comments, no trailing commas, no leading zeros, no `NaN`/`Infinity`,
/// no single quotes; escapes only `\" \\ \/ \b \f \n \r \t \uXXXX`; bytes below 0x20 must be escaped
/// in strings. A lone surrogate escape such as `"\ud800"` is accepted: §7 allows it syntactically
/// (§8.2 only warns that its meaning is unpredictable). The input is assumed to be valid UTF-8
/// (WebSocket text frames are checked before they get here), so bytes ≥ 0x80 are passed over as
/// string content; on other input the scanner still never reads out of bounds or traps.
///
/// The scanner borrows `bytes`: use it only inside the `withUnsafeBytes` closure that made them.
struct JSONScanner {
    /// Most arrays and objects that may be open at once; the 65th is an error. A real command
    /// never nests this deep, and a bound keeps hostile input from costing anything.
    static let maxDepth = 64

    /// Where a string's content lies (between, not including, the quotes).
    struct StringToken: Equatable, Sendable {
        /// The content's byte range in the scanned buffer.
        let range: Range<Int>
        /// Whether the content has a backslash (and so differs from its decoded text).
        let hasEscapes: Bool
    }

    /// Where a number lies, and whether it is a plain non-negative integer (digits only).
    struct NumberToken: Equatable, Sendable {
        /// The number's byte range in the scanned buffer.
        let range: Range<Int>
        /// No sign, fraction or exponent: just `0` or `[1-9][0-9]*`.
        let isPlainInteger: Bool
    }

    /// The bytes scanned; borrowed from the caller.
    let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    var index: Int

    /// A scanner at `index` of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer, index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { index >= bytes.count }

    /// The next byte, or `nil` at the end.
    @inline(__always)
    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips the four whitespace bytes of RFC 8259 §2: space, tab, line feed, carriage return.
    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// An error at the current position (or at the end when the input ran out).
    @inline(__always)
    func error(_ reason: JSONSyntaxError.Reason) -> JSONSyntaxError {
        JSONSyntaxError(reason: index >= bytes.count ? .unexpectedEnd : reason, offset: min(index, bytes.count))
    }

    // MARK: - Whole values

    /// Skips leading whitespace, then one complete value of any kind, checking all of it, and
    /// returns its byte range (from its first to just past its last byte; no whitespace around).
    ///
    /// Iterative, with the open containers kept as bits of one word, so depth costs no stack and
    /// no allocation.
    /// - Parameter maxDepth: how many arrays and objects may be open at once inside this value
    ///   (at most 64); a caller already inside an object passes what is left of the budget.
    /// - Throws: `JSONSyntaxError` at the first byte that breaks a rule.
    mutating func skipValue(maxDepth: Int = JSONScanner.maxDepth) throws(JSONSyntaxError) -> Range<Int> {
        skipWhitespace()
        let start = index
        let limit = min(maxDepth, Self.maxDepth)
        var depth = 0
        var objects: UInt64 = 0  // bit k set: the container at depth k is an object

        value: while true {
            // At the start of a value (whitespace already skipped).
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard depth < limit else { throw error(.tooDeep) }
                objects |= 1 << UInt64(depth)
                depth += 1
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    depth -= 1
                } else {
                    try skipMemberKey()
                    continue value
                }
            case UInt8(ascii: "["):
                guard depth < limit else { throw error(.tooDeep) }
                objects &= ~(1 << UInt64(depth))
                depth += 1
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    depth -= 1
                } else {
                    continue value
                }
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try scanNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                _ = try scanLiteral()
            default:
                throw error(.unexpectedCharacter)
            }

            // After a complete value: close containers or move to the next element.
            while depth > 0 {
                skipWhitespace()
                guard index < bytes.count else { throw error(.unexpectedEnd) }
                let inObject = (objects >> UInt64(depth - 1)) & 1 == 1
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if inObject { try skipMemberKey() }
                    continue value
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw error(.expectedCommaOrClose)
                }
                index += 1
                depth -= 1
            }
            return start..<index
        }
    }

    /// Reads `"key"`, whitespace, `:` and whitespace, leaving the scanner at the member's value.
    @inline(__always)
    mutating func skipMemberKey() throws(JSONSyntaxError) {
        _ = try scanKey()
    }

    /// Reads `"key"`, whitespace, `:` and whitespace and returns the key, leaving the scanner at
    /// the member's value.
    @inline(__always)
    mutating func scanKey() throws(JSONSyntaxError) -> StringToken {
        guard peek() == UInt8(ascii: "\"") else { throw error(.expectedKey) }
        let key = try scanString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw error(.expectedColon) }
        index += 1
        skipWhitespace()
        return key
    }

    // MARK: - Scalars

    /// Reads a string starting at its opening quote (which the caller has seen) and returns where
    /// its content is. Eight bytes at a time while none of them is a quote, a backslash or a
    /// control byte.
    mutating func scanString() throws(JSONSyntaxError) -> StringToken {
        index += 1  // opening quote
        let start = index
        var hasEscapes = false
        let count = bytes.count
        while true {
            // Fast path: skip whole words with nothing interesting in them.
            while index &+ 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if Self.hasSpecialByte(word) { break }
                index &+= 8
            }
            guard index < count else { throw error(.unexpectedEnd) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let range = start..<index
                index += 1
                return StringToken(range: range, hasEscapes: hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try skipEscape()
            case 0x00..<0x20:
                throw error(.controlCharacterInString)
            default:
                index += 1
            }
        }
    }

    /// Whether any byte of `word` is `"`, `\` or below 0x20 (exact for "any", which is all the
    /// fast path needs; Hacker's Delight / Bit Twiddling Hacks "hasless" and "haszero").
    @inline(__always)
    static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let below20 = (word &- ones &* 0x20) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return (below20 | zeroQuote | zeroBackslash) & highs != 0
    }

    /// Skips `\` and what must follow it (RFC 8259 §7).
    private mutating func skipEscape() throws(JSONSyntaxError) {
        index += 1  // backslash
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        switch bytes[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            for _ in 0..<4 {
                guard index < bytes.count else { throw error(.unexpectedEnd) }
                guard Self.hexValue(bytes[index]) != nil else { throw error(.invalidEscape) }
                index += 1
            }
        default:
            throw error(.invalidEscape)
        }
    }

    /// The value of one hex digit, or `nil`.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Reads a number, RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// A digit right after a leading `0` is an error here rather than later as stray text.
    mutating func scanNumber() throws(JSONSyntaxError) -> NumberToken {
        let start = index
        var plain = true
        if peek() == UInt8(ascii: "-") {
            index += 1
            plain = false
        }
        switch peek() {
        case UInt8(ascii: "0"):
            index += 1
            if let next = peek(), Self.isDigit(next) { throw error(.invalidNumber) }
        case let byte? where Self.isDigit(byte):
            skipDigits()
        default:
            throw error(.invalidNumber)
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            plain = false
            guard let byte = peek(), Self.isDigit(byte) else { throw error(.invalidNumber) }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            plain = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek(), Self.isDigit(byte) else { throw error(.invalidNumber) }
            skipDigits()
        }
        return NumberToken(range: start..<index, isPlainInteger: plain)
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    /// Reads `true`, `false` or `null` and returns which (`nil` for `null`).
    mutating func scanLiteral() throws(JSONSyntaxError) -> Bool? {
        @inline(__always)
        func matches(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard bytes.count - index >= n else { return false }
            for k in 0..<n where bytes[index + k] != word.utf8Start[k] { return false }
            return true
        }
        let result: Bool?
        let length: Int
        switch peek() {
        case UInt8(ascii: "t") where matches("true"): (result, length) = (true, 4)
        case UInt8(ascii: "f") where matches("false"): (result, length) = (false, 5)
        case UInt8(ascii: "n") where matches("null"): (result, length) = (nil, 4)
        default: throw error(.invalidLiteral)
        }
        index += length
        return result
    }

    // MARK: - Reading scanned tokens

    /// The value of a plain integer token if it is at most `maximum` (and at most 2^53 − 1 when
    /// `maximum` is larger: JavaScript clients cannot send more exactly), else `nil`.
    func integerValue(_ token: NumberToken, maximum: Int = JSONScanner.maxSafeInteger) -> Int? {
        guard token.isPlainInteger, token.range.count <= 16 else { return nil }
        var value = 0
        for k in token.range { value = value &* 10 &+ Int(bytes[k] &- UInt8(ascii: "0")) }
        return value <= min(maximum, Self.maxSafeInteger) ? value : nil
    }

    /// 2^53 − 1, the largest integer a JSON number carries exactly in every client (RFC 8259 §6).
    static let maxSafeInteger = 9_007_199_254_740_991

    /// Whether a string token's decoded content equals `literal` (an ASCII name such as `topic`).
    /// Unescaped keys, the normal case, compare in place; escaped ones are decoded first.
    func stringEquals(_ token: StringToken, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        if !token.hasEscapes {
            guard token.range.count == n else { return false }
            for k in 0..<n where bytes[token.range.lowerBound + k] != literal.utf8Start[k] { return false }
            return true
        }
        let decoded = unescapedBytes(token)
        guard decoded.count == n else { return false }
        for k in 0..<n where decoded[k] != literal.utf8Start[k] { return false }
        return true
    }

    /// A string token's text. Without escapes this is one `String` made from the bytes in place
    /// (no allocation for the ≤ 15-byte names commands mostly carry); with escapes the content is
    /// decoded first. A lone surrogate escape becomes U+FFFD, since a Swift `String` cannot hold it.
    func string(_ token: StringToken) -> String {
        if !token.hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[token.range]), as: UTF8.self)
        }
        return String(decoding: unescapedBytes(token), as: UTF8.self)
    }

    /// A string token's content with escapes resolved, as UTF-8 (surrogate pairs combined, a lone
    /// surrogate as U+FFFD). Only meaningful for a token this scanner returned.
    func unescapedBytes(_ token: StringToken) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.range.count)
        var k = token.range.lowerBound
        let end = token.range.upperBound
        func hex4(at position: Int) -> UInt32? {
            guard position + 4 <= end else { return nil }
            var value: UInt32 = 0
            for j in position..<position + 4 {
                guard let digit = Self.hexValue(bytes[j]) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while k < end {
            let byte = bytes[k]
            guard byte == UInt8(ascii: "\\"), k + 1 < end else {
                out.append(byte)
                k += 1
                continue
            }
            let escaped = bytes[k + 1]
            k += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: k) else { return out }
                k += 4
                if (0xD800..<0xDC00).contains(scalar), k + 6 <= end, bytes[k] == UInt8(ascii: "\\"),
                    bytes[k + 1] == UInt8(ascii: "u"), let low = hex4(at: k + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default: out.append(escaped)  // " \ /
            }
        }
        return out
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let v = scalar.value
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6))
            out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18))
            out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F))
            out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}

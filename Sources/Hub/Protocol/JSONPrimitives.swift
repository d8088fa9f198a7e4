/// Writes JSON strings and integers: measured first, then written into raw memory, or appended to
/// an array.
///
/// The two-step form lets a push be built in one exactly sized allocation; strings are escaped
/// per RFC 8259 §7: `"` and `\` with a backslash, U+0000–U+001F as `\b \f \n \r \t` or `\u00XX`,
/// everything else (non-ASCII UTF-8 included) passed through.
enum JSONPrimitives {
    // MARK: - Strings

    /// Bytes `string` takes written as a quoted JSON string.
    @inline(__always)
    static func quotedCount(_ string: String) -> Int {
        var string = string
        return string.withUTF8 { quotedCount($0) }
    }

    /// Bytes the UTF-8 `utf8` take written as a quoted JSON string.
    static func quotedCount(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var count = utf8.count + 2
        guard let base = utf8.baseAddress else { return count }
        var k = 0
        let n = utf8.count
        while k < n {
            if k + 8 <= n {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self))
                if !JSONScanner.hasSpecialByte(word) {
                    k += 8
                    continue
                }
            }
            count += extraBytes(base[k])
            k += 1
        }
        return count
    }

    /// How many bytes escaping adds for one input byte.
    @inline(__always)
    private static func extraBytes(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: return 1
        case 0x00..<0x20: return 5
        default: return 0
        }
    }

    /// Writes `string` quoted at `p` (room for `quotedCount(string)` bytes); returns the count.
    @inline(__always)
    static func writeQuoted(_ string: String, to p: UnsafeMutableRawPointer) -> Int {
        var string = string
        return string.withUTF8 { writeQuoted($0, to: p) }
    }

    /// Writes the UTF-8 `utf8` quoted at `p` (room for `quotedCount(utf8)` bytes); returns the count.
    static func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to p: UnsafeMutableRawPointer) -> Int {
        let out = p.assumingMemoryBound(to: UInt8.self)
        out[0] = UInt8(ascii: "\"")
        var w = 1
        if let base = utf8.baseAddress {
            var k = 0
            let n = utf8.count
            while k < n {
                // Copy runs of bytes that need nothing, eight at a time.
                var run = k
                while run + 8 <= n,
                    !JSONScanner.hasSpecialByte(
                        UInt64(littleEndian: UnsafeRawPointer(base + run).loadUnaligned(as: UInt64.self)))
                {
                    run += 8
                }
                while run < n, extraBytes(base[run]) == 0 { run += 1 }
                if run > k {
                    (out + w).update(from: base + k, count: run - k)
                    w += run - k
                    k = run
                }
                guard k < n else { break }
                w += writeEscape(base[k], to: out + w)
                k += 1
            }
        }
        out[w] = UInt8(ascii: "\"")
        return w + 1
    }

    /// Writes the escape for one byte that needs one; returns its length (2 or 6).
    @inline(__always)
    private static func writeEscape(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\\")
        let short: UInt8
        switch byte {
        case UInt8(ascii: "\""): short = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): short = UInt8(ascii: "\\")
        case 0x08: short = UInt8(ascii: "b")
        case 0x09: short = UInt8(ascii: "t")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x0D: short = UInt8(ascii: "r")
        default:
            let hex: StaticString = "0123456789abcdef"
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "0")
            out[3] = UInt8(ascii: "0")
            out[4] = hex.utf8Start[Int(byte >> 4)]
            out[5] = hex.utf8Start[Int(byte & 0x0F)]
            return 6
        }
        out[1] = short
        return 2
    }

    /// Appends `string` quoted to `out`.
    static func appendQuoted(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            let count = quotedCount(utf8)
            if count == utf8.count + 2 {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: utf8)
                out.append(UInt8(ascii: "\""))
            } else {
                appendWritten(count: count, to: &out) { writeQuoted(utf8, to: $0) }
            }
        }
    }

    // MARK: - Integers

    /// Bytes `value` takes in decimal (with a `-` when negative).
    @inline(__always)
    static func decimalCount(_ value: Int) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }

    /// Writes `value` in decimal at `p` (room for `decimalCount(value)` bytes); returns the count.
    @inline(__always)
    static func writeDecimal(_ value: Int, to p: UnsafeMutableRawPointer) -> Int {
        let count = decimalCount(value)
        let out = p.assumingMemoryBound(to: UInt8.self)
        var magnitude = value.magnitude
        var k = count
        repeat {
            k -= 1
            out[k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        if value < 0 { out[0] = UInt8(ascii: "-") }
        return count
    }

    /// Appends `value` in decimal to `out`.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        appendWritten(count: decimalCount(value), to: &out) { writeDecimal(value, to: $0) }
    }

    /// Appends `count` bytes that `write` puts at the pointer it is given, in place.
    @inline(__always)
    private static func appendWritten(
        count: Int, to out: inout [UInt8], _ write: (UnsafeMutableRawPointer) -> Int
    ) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBytes { buffer in _ = write(buffer.baseAddress! + start) }
    }
}

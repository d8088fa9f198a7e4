/// A tiny scanner over the hub's pushes and replies: the hub writes them in a fixed key order
/// (PROTOCOL.md), so a few byte comparisons find what the bench needs without a JSON parser.
enum Scan {
    static let welcome = Array(#"{"op":"welcome""#.utf8)
    static let idPrefix = Array(#"{"id":"#.utf8)
    static let topicPrefix = Array(#"{"topic":""#.utf8)
    static let offsetKey = Array(#","offset":"#.utf8)
    static let offsetAny = Array(#""offset":"#.utf8)
    static let eventKey = Array(#","event":"#.utf8)
    static let dataKey = Array(#""data":"p="#.utf8)
    static let epochKey = Array(#""epoch":""#.utf8)
    static let resultKey = Array(#","result":"#.utf8)
    static let recoveredTrue = Array(#""recovered":true"#.utf8)
    static let recoveredFalse = Array(#""recovered":false"#.utf8)
    static let errorPrefix = Array(#"{"error":"#.utf8)
    static let codeKey = Array(#""code":""#.utf8)

    @inline(__always)
    static func hasPrefix(_ m: UnsafeRawBufferPointer, _ p: [UInt8], at i: Int = 0) -> Bool {
        guard m.count - i >= p.count else { return false }
        for k in 0..<p.count where m[i + k] != p[k] { return false }
        return true
    }

    /// The index just past the first occurrence of `needle` at or after `from`.
    static func after(_ m: UnsafeRawBufferPointer, _ needle: [UInt8], from: Int = 0) -> Int? {
        let first = needle[0]
        var i = from
        let end = m.count - needle.count
        while i <= end {
            if m[i] == first && hasPrefix(m, needle, at: i) { return i + needle.count }
            i += 1
        }
        return nil
    }

    /// A decimal integer at `i`; moves `i` past it.
    @inline(__always)
    static func int(_ m: UnsafeRawBufferPointer, _ i: inout Int) -> Int? {
        var v = 0
        let start = i
        while i < m.count, m[i] >= 48, m[i] <= 57 {
            v = v &* 10 &+ Int(m[i] &- 48)
            i += 1
        }
        return i > start ? v : nil
    }

    /// A JSON string's raw content at `i` (just past its opening quote), up to the closing quote.
    static func string(_ m: UnsafeRawBufferPointer, at i: Int) -> String? {
        var j = i
        while j < m.count, m[j] != 34 { j += 1 }
        guard j < m.count else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: m[i..<j]), as: UTF8.self)
    }

    /// The reply's id, when `m` is `{"id":N,…}`.
    static func replyID(_ m: UnsafeRawBufferPointer) -> Int? {
        guard hasPrefix(m, idPrefix) else { return nil }
        var i = idPrefix.count
        return int(m, &i)
    }

    /// Whether a reply carries a result (else it is an error).
    static func isResult(_ m: UnsafeRawBufferPointer) -> Bool { after(m, resultKey) != nil }

    /// The `"offset":N` anywhere in `m`.
    static func offset(_ m: UnsafeRawBufferPointer) -> Int? {
        guard var i = after(m, offsetAny) else { return nil }
        return int(m, &i)
    }

    /// The error code of an error reply or push.
    static func errorCode(_ m: UnsafeRawBufferPointer) -> String {
        guard let i = after(m, codeKey) else { return "unknown" }
        return string(m, at: i) ?? "unknown"
    }

    /// What a `{"topic":…}` push is.
    enum Push {
        /// A publication: its offset and the bench's publisher id, sequence number and send time
        /// (nil for data that is not the bench's).
        case publication(offset: Int, publisher: Int?, seq: Int, sentNs: UInt64)
        case presence
        case other
    }

    static func push(_ m: UnsafeRawBufferPointer) -> Push {
        guard hasPrefix(m, topicPrefix) else { return .other }
        var i = topicPrefix.count
        while i < m.count, m[i] != 34 { i += 1 }
        i += 1
        if hasPrefix(m, eventKey, at: i) { return .presence }
        guard hasPrefix(m, offsetKey, at: i) else { return .other }
        i += offsetKey.count
        guard let offset = int(m, &i) else { return .other }
        guard var j = after(m, dataKey, from: i), let p = int(m, &j) else {
            return .publication(offset: offset, publisher: nil, seq: 0, sentNs: 0)
        }
        j += 3  // " s="
        guard let s = int(m, &j) else { return .publication(offset: offset, publisher: nil, seq: 0, sentNs: 0) }
        j += 3  // " t="
        guard let t = int(m, &j) else { return .publication(offset: offset, publisher: nil, seq: 0, sentNs: 0) }
        return .publication(offset: offset, publisher: p, seq: s, sentNs: UInt64(t))
    }
}

/// Appends ASCII to a byte array.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendDecimal(_ v: Int) {
        var x = v
        if x < 0 { append(45); x = -x }
        var div = 1
        while div <= x / 10 { div *= 10 }
        while div > 0 {
            append(UInt8(48 + (x / div) % 10))
            div /= 10
        }
    }

    mutating func appendString(_ s: String) { append(contentsOf: s.utf8) }
}

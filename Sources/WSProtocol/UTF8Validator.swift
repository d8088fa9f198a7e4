/// Incremental UTF-8 validation (RFC 3629, as RFC 6455 §8.1 requires) that fails on the first
/// invalid byte, so a text message split over many frames or reads is rejected as early as
/// possible (Autobahn 6.4.*: "fail fast").
///
/// The state between chunks is just how many continuation bytes are still due and the range the
/// next one must fall in (narrower right after E0, ED, F0 and F4, which rules out overlong forms,
/// surrogates and code points above U+10FFFF). ASCII runs are skipped sixteen bytes at a time.
public struct UTF8Validator: Sendable, Equatable {
    @usableFromInline var needed: UInt8 = 0
    @usableFromInline var lower: UInt8 = 0x80
    @usableFromInline var upper: UInt8 = 0xBF

    /// A validator at the start of a text.
    public init() {}

    /// True when no multi-byte sequence is left open: the text seen so far is complete UTF-8.
    public var isComplete: Bool { needed == 0 }

    /// Forgets any open sequence, to start a new text.
    public mutating func reset() { self = UTF8Validator() }

    /// Validates the next chunk; false as soon as a byte cannot continue valid UTF-8.
    /// After a false result the validator's state is unspecified: the text is invalid.
    @inlinable
    public mutating func validate(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count
        var i = 0
        var needed = self.needed, lower = self.lower, upper = self.upper
        while i < count {
            if needed == 0 {
                // ASCII fast path.
                while i + 16 <= count {
                    let a = (base + i).loadUnaligned(as: UInt64.self)
                    let b = (base + i + 8).loadUnaligned(as: UInt64.self)
                    if (a | b) & 0x8080_8080_8080_8080 != 0 { break }
                    i += 16
                }
                if i >= count { break }
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i += 1
                if byte < 0x80 { continue }
                switch byte {
                case 0xC2...0xDF: needed = 1; lower = 0x80; upper = 0xBF
                case 0xE0: needed = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE, 0xEF: needed = 2; lower = 0x80; upper = 0xBF
                case 0xED: needed = 2; lower = 0x80; upper = 0x9F
                case 0xF0: needed = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: needed = 3; lower = 0x80; upper = 0xBF
                case 0xF4: needed = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i += 1
                guard byte >= lower && byte <= upper else { return false }
                needed -= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        self.needed = needed
        self.lower = lower
        self.upper = upper
        return true
    }

    /// Validates a byte array chunk.
    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Whether `bytes` is, on its own, complete and valid UTF-8.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var v = UTF8Validator()
        return v.validate(bytes) && v.isComplete
    }
}

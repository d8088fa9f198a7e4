/// XOR masking of payloads (RFC 6455 §5.3), eight bytes at a time.
///
/// Masking is an involution, so the same call masks and unmasks. `offset` is the position of the
/// first byte within the frame's payload, so a payload that arrives in chunks unmasks correctly
/// chunk by chunk (the key rotates with the position).
public enum WebSocketMasking {
    /// XORs `buffer` in place with the four-byte `key` (wire order), starting at payload position `offset`.
    public static func apply(_ buffer: UnsafeMutableRawBufferPointer, key: (UInt8, UInt8, UInt8, UInt8), offset: Int) {
        apply(buffer, keyWord: keyWord(key), offset: offset)
    }

    /// The key's four wire bytes as one little-endian word (wire byte 0 in the low bits).
    @inlinable
    public static func keyWord(_ key: (UInt8, UInt8, UInt8, UInt8)) -> UInt32 {
        UInt32(key.0) | (UInt32(key.1) << 8) | (UInt32(key.2) << 16) | (UInt32(key.3) << 24)
    }

    /// XORs `buffer` in place with a key given as its little-endian word (see `keyWord`).
    @inlinable
    public static func apply(_ buffer: UnsafeMutableRawBufferPointer, keyWord raw: UInt32, offset: Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        // Little-endian word: memory byte i is bits 8*i..8*i+7. Rotating it right by 8*(offset % 4)
        // pairs byte 0 of the buffer with key byte (offset % 4).
        let shift = UInt32((offset & 3) * 8)
        let k32 = UInt64(shift == 0 ? raw : (raw >> shift) | (raw << (32 - shift)))
        let k64 = k32 | (k32 << 32)
        var i = 0
        while i + 32 <= count {
            let p = base + i
            p.storeBytes(of: p.loadUnaligned(as: UInt64.self) ^ k64, as: UInt64.self)
            (p + 8).storeBytes(of: (p + 8).loadUnaligned(as: UInt64.self) ^ k64, as: UInt64.self)
            (p + 16).storeBytes(of: (p + 16).loadUnaligned(as: UInt64.self) ^ k64, as: UInt64.self)
            (p + 24).storeBytes(of: (p + 24).loadUnaligned(as: UInt64.self) ^ k64, as: UInt64.self)
            i += 32
        }
        while i + 8 <= count {
            let p = base + i
            p.storeBytes(of: p.loadUnaligned(as: UInt64.self) ^ k64, as: UInt64.self)
            i += 8
        }
        // i is a multiple of 8, so the key phase is unchanged for the tail.
        var j = 0
        while i < count {
            let kb = UInt8(truncatingIfNeeded: k32 >> (UInt64(j & 3) * 8))
            base.storeBytes(of: base.load(fromByteOffset: i, as: UInt8.self) ^ kb, toByteOffset: i, as: UInt8.self)
            i += 1
            j += 1
        }
    }

    /// Masks (or unmasks) a byte array, for tests and clients.
    public static func apply(_ bytes: inout [UInt8], key: (UInt8, UInt8, UInt8, UInt8), offset: Int = 0) {
        bytes.withUnsafeMutableBytes { apply($0, key: key, offset: offset) }
    }
}

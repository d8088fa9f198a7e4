/// Writes frames (RFC 6455 §5.2). Headers are written into a caller's buffer ahead of (or apart
/// from) the payload, so a payload is never copied just to put a header in front of it.
public enum WebSocketFrameEncoder {
    /// Bytes the header of a frame with `payloadLength` bytes takes: 2, 4 or 10, plus 4 if masked.
    @inlinable
    public static func headerSize(payloadLength: Int, masked: Bool = false) -> Int {
        let base = payloadLength < 126 ? 2 : (payloadLength <= 0xFFFF ? 4 : 10)
        return masked ? base + 4 : base
    }

    /// Writes a header at `p` (which has room for `headerSize(...)` bytes) and returns its size.
    /// The length is always minimally encoded (§5.2).
    @inlinable
    @discardableResult
    public static func writeHeader(to p: UnsafeMutableRawPointer, opcode: WebSocketOpcode, payloadLength: Int,
                                   fin: Bool = true, rsv1: Bool = false, maskKey: UInt32? = nil) -> Int {
        p.storeBytes(of: (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode.rawValue, as: UInt8.self)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        var n: Int
        if payloadLength < 126 {
            p.storeBytes(of: maskBit | UInt8(payloadLength), toByteOffset: 1, as: UInt8.self)
            n = 2
        } else if payloadLength <= 0xFFFF {
            p.storeBytes(of: maskBit | 126, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: UInt16(payloadLength).bigEndian, toByteOffset: 2, as: UInt16.self)
            n = 4
        } else {
            p.storeBytes(of: maskBit | 127, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: UInt64(payloadLength).bigEndian, toByteOffset: 2, as: UInt64.self)
            n = 10
        }
        if let maskKey {
            p.storeBytes(of: maskKey.littleEndian, toByteOffset: n, as: UInt32.self)
            n += 4
        }
        return n
    }

    /// A whole frame as one array: header then payload (masked with `maskKey` when given, as a
    /// client must, §5.3).
    public static func frame(_ opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false,
                             maskKey: UInt32? = nil) -> [UInt8] {
        let h = headerSize(payloadLength: payload.count, masked: maskKey != nil)
        var out = [UInt8](repeating: 0, count: h + payload.count)
        out.withUnsafeMutableBytes { raw in
            writeHeader(to: raw.baseAddress!, opcode: opcode, payloadLength: payload.count, fin: fin, rsv1: rsv1,
                        maskKey: maskKey)
            payload.withUnsafeBytes { src in
                if let s = src.baseAddress { (raw.baseAddress! + h).copyMemory(from: s, byteCount: src.count) }
            }
            if let maskKey {
                WebSocketMasking.apply(UnsafeMutableRawBufferPointer(rebasing: raw[h...]), keyWord: maskKey, offset: 0)
            }
        }
        return out
    }

    /// The body of a close frame: the code in network order, then the reason cut to fit 125 bytes
    /// at a character boundary (§5.5, §5.5.1).
    public static func closePayload(code: WebSocketCloseCode, reason: String = "") -> [UInt8] {
        var out: [UInt8] = [UInt8(code.code >> 8), UInt8(code.code & 0xFF)]
        var budget = 123
        for scalar in reason.unicodeScalars {
            let utf8 = Array(String(scalar).utf8)
            if utf8.count > budget { break }
            out.append(contentsOf: utf8)
            budget -= utf8.count
        }
        return out
    }
}

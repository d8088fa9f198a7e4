/// A decoded frame header (RFC 6455 §5.2). The first byte stays packed, as on the wire, and FIN,
/// RSV1–3 and the opcode are read from it.
public struct WebSocketFrameHeader: Equatable, Sendable {
    /// FIN, RSV1, RSV2, RSV3 and the opcode, exactly as received.
    public var firstByte: UInt8
    /// The payload length (already checked to fit in 63 bits).
    public var payloadLength: Int
    /// Whether the MASK bit was set.
    public var isMasked: Bool
    /// The masking key as a little-endian word of its wire bytes (`WebSocketMasking.keyWord`).
    public var maskKey: UInt32

    /// A header from its parts.
    public init(firstByte: UInt8, payloadLength: Int, isMasked: Bool, maskKey: UInt32) {
        self.firstByte = firstByte
        self.payloadLength = payloadLength
        self.isMasked = isMasked
        self.maskKey = maskKey
    }

    /// The final fragment of a message.
    public var fin: Bool { firstByte & 0x80 != 0 }
    /// RSV1: "compressed" under permessage-deflate (RFC 7692 §6).
    public var rsv1: Bool { firstByte & 0x40 != 0 }
    /// RSV2: no extension of ours defines it.
    public var rsv2: Bool { firstByte & 0x20 != 0 }
    /// RSV3: no extension of ours defines it.
    public var rsv3: Bool { firstByte & 0x10 != 0 }
    /// The frame's opcode.
    public var opcode: WebSocketOpcode { WebSocketOpcode(firstByte & 0x0F) }
}

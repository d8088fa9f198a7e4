/// A frame opcode (RFC 6455 §5.2), kept as the raw 4-bit value so reserved opcodes stay representable.
public struct WebSocketOpcode: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit wire value.
    public let rawValue: UInt8

    /// Wraps a wire value; only the low four bits are kept.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let continuation = WebSocketOpcode(0x0)
    public static let text = WebSocketOpcode(0x1)
    public static let binary = WebSocketOpcode(0x2)
    public static let close = WebSocketOpcode(0x8)
    public static let ping = WebSocketOpcode(0x9)
    public static let pong = WebSocketOpcode(0xA)

    /// Control frames have the high bit of the opcode set (§5.5).
    public var isControl: Bool { rawValue & 0x8 != 0 }

    /// Opcodes 0x3–0x7 and 0xB–0xF are reserved (§5.2): receiving one fails the connection.
    public var isReserved: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return false
        default: return true
        }
    }

    public var description: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default: return "reserved(0x\(String(rawValue, radix: 16)))"
        }
    }
}

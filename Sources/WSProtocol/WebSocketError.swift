/// Every way a peer can break RFC 6455 (or a configured limit), each mapped to the close code the
/// hub sends before failing the connection (§7.1.7, §7.4.1).
public enum WebSocketError: Error, Equatable, Sendable {
    /// RSV2/RSV3 set, or RSV1 without a negotiated extension / on a control or continuation frame (§5.2, RFC 7692 §6).
    case reservedBits
    /// Opcodes 0x3–0x7 and 0xB–0xF (§5.2).
    case reservedOpcode(UInt8)
    /// A control frame with more than 125 bytes of payload (§5.5).
    case controlFrameTooLong
    /// A control frame without FIN (§5.5: control frames MUST NOT be fragmented).
    case fragmentedControlFrame
    /// A client frame without the mask bit (§5.1: the server MUST close).
    case unmaskedFrame
    /// A 64-bit length with its most significant bit set (§5.2).
    case lengthTooLarge
    /// A length not encoded in the minimal number of bytes (§5.2: "the minimal number of bytes MUST be used").
    case nonMinimalLength
    /// A continuation frame with no message in progress (§5.4).
    case unexpectedContinuation
    /// A new text/binary frame while a fragmented message is still open (§5.4).
    case expectedContinuation
    /// A close frame with a one-byte payload (§5.5.1: a body starts with a two-byte code).
    case invalidClosePayload
    /// A close code that may not be sent on the wire (§7.4.1, §7.4.2).
    case invalidCloseCode(UInt16)
    /// Text (or a close reason) that is not valid UTF-8 (§8.1).
    case invalidUTF8
    /// A message (after inflation, for compressed ones) over the configured limit.
    case messageTooBig(limit: Int)
    /// More fragments in one message than the configured limit.
    case tooManyFragments(limit: Int)
    /// A compressed message zlib could not inflate (RFC 7692 §7.2.2).
    case inflateFailed

    /// The close code the hub sends for this violation.
    public var closeCode: WebSocketCloseCode {
        switch self {
        case .invalidUTF8: return .invalidPayload
        case .messageTooBig, .tooManyFragments: return .messageTooBig
        case .inflateFailed: return .invalidPayload
        default: return .protocolError
        }
    }

    /// A short reason for the close frame (at most 123 bytes, §5.5.1).
    public var reason: String {
        switch self {
        case .reservedBits: return "reserved bits set"
        case .reservedOpcode(let op): return "reserved opcode \(op)"
        case .controlFrameTooLong: return "control frame over 125 bytes"
        case .fragmentedControlFrame: return "fragmented control frame"
        case .unmaskedFrame: return "client frame not masked"
        case .lengthTooLarge: return "frame length too large"
        case .nonMinimalLength: return "frame length not minimally encoded"
        case .unexpectedContinuation: return "continuation without a message"
        case .expectedContinuation: return "expected a continuation frame"
        case .invalidClosePayload: return "close payload of one byte"
        case .invalidCloseCode(let c): return "invalid close code \(c)"
        case .invalidUTF8: return "invalid UTF-8"
        case .messageTooBig(let limit): return "message over \(limit) bytes"
        case .tooManyFragments(let limit): return "more than \(limit) fragments"
        case .inflateFailed: return "invalid compressed data"
        }
    }
}

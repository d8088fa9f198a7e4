/// A close status code (RFC 6455 §7.4), with `.unknown` so any received value stays representable.
public enum WebSocketCloseCode: Equatable, Hashable, Sendable {
    case normal            // 1000
    case goingAway         // 1001
    case protocolError     // 1002
    case unsupportedData   // 1003
    case noStatus          // 1005: never sent on the wire
    case abnormal          // 1006: never sent on the wire
    case invalidPayload    // 1007
    case policyViolation   // 1008
    case messageTooBig     // 1009
    case mandatoryExtension // 1010
    case internalError     // 1011
    case unauthorized      // 4401
    case forbidden         // 4403
    case slowConsumer      // 4408
    case rateLimited       // 4429
    case unknown(UInt16)

    /// Maps a wire value to a case; values without a name become `.unknown`.
    public init(code: UInt16) {
        switch code {
        case 1000: self = .normal
        case 1001: self = .goingAway
        case 1002: self = .protocolError
        case 1003: self = .unsupportedData
        case 1005: self = .noStatus
        case 1006: self = .abnormal
        case 1007: self = .invalidPayload
        case 1008: self = .policyViolation
        case 1009: self = .messageTooBig
        case 1010: self = .mandatoryExtension
        case 1011: self = .internalError
        case 4401: self = .unauthorized
        case 4403: self = .forbidden
        case 4408: self = .slowConsumer
        case 4429: self = .rateLimited
        default: self = .unknown(code)
        }
    }

    /// The wire value.
    public var code: UInt16 {
        switch self {
        case .normal: return 1000
        case .goingAway: return 1001
        case .protocolError: return 1002
        case .unsupportedData: return 1003
        case .noStatus: return 1005
        case .abnormal: return 1006
        case .invalidPayload: return 1007
        case .policyViolation: return 1008
        case .messageTooBig: return 1009
        case .mandatoryExtension: return 1010
        case .internalError: return 1011
        case .unauthorized: return 4401
        case .forbidden: return 4403
        case .slowConsumer: return 4408
        case .rateLimited: return 4429
        case .unknown(let c): return c
        }
    }

    /// Whether a peer may send this code in a close frame (§7.4.1, §7.4.2):
    /// 1000–1003, 1007–1011 and the IANA-registered 1012–1014, and 3000–4999.
    /// 1004, 1005, 1006, 1015 and everything below 1000 or above 4999 fail the connection with 1002.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014: return true
        case 3000...4999: return true
        default: return false
        }
    }
}

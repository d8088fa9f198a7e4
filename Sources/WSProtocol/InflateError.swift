/// Why a permessage-deflate payload could not be decompressed (RFC 7692 §7.2.2); either way the
/// receiver fails the connection, so one small enum is all the server needs to pick the close code.
public enum InflateError: Error, Equatable, Sendable {
    /// The inflated message would exceed the configured limit: the zip-bomb guard.
    case tooBig
    /// The payload is not a valid raw DEFLATE stream, or it does not end on a block boundary.
    case corrupt

    /// The close code to fail the connection with (RFC 6455 §7.4.1): 1009 for a message that is too
    /// big to process, 1007 for data that is inconsistent with the negotiated extension.
    public var closeCode: WebSocketCloseCode {
        switch self {
        case .tooBig: return .messageTooBig
        case .corrupt: return .invalidPayload
        }
    }
}

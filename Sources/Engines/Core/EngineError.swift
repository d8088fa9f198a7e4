/// A refusal an engine answers with; the hub turns it into an error reply (PROTOCOL.md error
/// codes) or an HTTP status.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes of PROTOCOL.md that engines use.
    public enum Code: String, Sendable {
        case badRequest = "bad_request"
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case tooLarge = "too_large"
        case rateLimited = "rate_limited"
        case unavailable
        case `internal`

        /// Whether this is the engine's fault (counts against its breaker), not the caller's.
        public var isEngineFailure: Bool { self == .unavailable || self == .internal }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

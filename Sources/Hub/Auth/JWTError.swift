/// Why a JWT was refused; `reason` is short enough for a WebSocket close reason (4401).
enum JWTError: Error, Equatable, CustomStringConvertible {
    /// Not three base64url parts, not JSON, or a claim of the wrong type; the detail says which.
    case malformed(String)
    /// The header's `alg` is not `HS256` (the value, or `missing`); `none` is never accepted.
    case unsupportedAlgorithm(String)
    /// The HMAC-SHA256 signature does not match the hub's secret.
    case badSignature
    /// `exp` lies more than the leeway in the past.
    case expired
    /// `nbf` lies more than the leeway in the future.
    case notYetValid
    /// A required claim (`sub`, `exp`) is absent.
    case missingClaim(String)

    /// A one-line human reason, at most 123 bytes (the room in a close frame, RFC 6455 §5.5.1).
    var reason: String {
        let text: String
        switch self {
        case .malformed(let detail): text = "malformed token: \(detail)"
        case .unsupportedAlgorithm(let alg): text = "unsupported token algorithm \(alg) (only HS256)"
        case .badSignature: text = "bad token signature"
        case .expired: text = "token expired"
        case .notYetValid: text = "token not yet valid"
        case .missingClaim(let claim): text = "token lacks the \(claim) claim"
        }
        guard text.utf8.count > 123 else { return text }
        return String(decoding: text.utf8.prefix(120), as: UTF8.self) + "..."
    }

    var description: String { reason }
}

/// A stored token as it may be shown: everything but the secret, which the hub never keeps.
struct TokenInfo: Sendable, Equatable {
    /// The public id, `tok_` and 12 base32 characters: safe to log, show and revoke by.
    let id: String
    /// The user the token authenticates as.
    let user: String
    let kind: TokenKind
    /// Unix seconds.
    let created: Int64
    /// Unix seconds from which the token is refused, or nil for never.
    let expires: Int64?
    /// Unix seconds when it was revoked, or nil while it is not.
    let revoked: Int64?

    /// Whether the token would verify at `now`: not revoked and not yet expired.
    func isActive(at now: Int64) -> Bool {
        revoked == nil && (expires.map { now < $0 } ?? true)
    }
}

/// Who a verified token says the client is.
struct AuthIdentity: Sendable, Equatable {
    /// The user id (a token's user, a JWT's `sub`).
    var user: String
    /// Operator rights (an admin token, a JWT with `admin: true`).
    var isAdmin: Bool
    /// An API token (`hub token create --api`): for `/api/v1/*`, not for sessions.
    var isAPI: Bool = false
    /// When the token stops being valid (Unix seconds), if ever.
    var expiresAt: Int64?
    /// Topic patterns the token is restricted to (a JWT's `topics` claim; `*` at the end matches
    /// any suffix); nil: no restriction beyond the namespaces' rules.
    var topics: [String]?
    /// The stored token's id, for revocation checks (nil for JWTs, which cannot be revoked).
    var tokenID: String?

    /// Whether the restriction, if any, allows `topic`.
    func allows(topic: String) -> Bool {
        guard let topics else { return true }
        return topics.contains { JWTClaims.pattern($0, matches: topic) }
    }
}

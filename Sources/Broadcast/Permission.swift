/// Who may do something in a namespace.
public enum Permission: String, Sendable, Equatable, CaseIterable {
    /// Every client, anonymous ones included.
    case anyone
    /// Clients with a user identity (`/ws/auth`).
    case authenticated
    /// Operators only.
    case admin
    /// Nobody (a namespace only the server publishes into, say).
    case nobody

    /// Whether a client with `identity` is allowed.
    public func allows(_ identity: ClientIdentity) -> Bool {
        switch self {
        case .anyone: return true
        case .authenticated: return identity.user != nil
        case .admin: return identity.isAdmin
        case .nobody: return false
        }
    }
}

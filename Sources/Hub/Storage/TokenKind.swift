/// What a hub token may do; stored as its raw value in `tokens.kind`.
enum TokenKind: String, Sendable, CaseIterable, Codable {
    /// A user on `/ws/auth`.
    case user
    /// An operator: `/ws/admin`, admin commands and every HTTP API call.
    case admin
    /// A service calling the HTTP API (`/api/v1/*`), such as a publisher.
    case api
}

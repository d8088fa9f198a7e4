/// Who a client is, as far as the bus cares: its connection id, its user (nil when anonymous) and
/// whether it is an operator.
public struct ClientIdentity: Sendable, Equatable, Hashable {
    /// The connection's id as shown to others (`"c-…"`).
    public var client: String
    /// The authenticated user, or nil.
    public var user: String?
    /// Whether the client holds an admin identity.
    public var isAdmin: Bool

    /// An identity.
    public init(client: String, user: String? = nil, isAdmin: Bool = false) {
        self.client = client
        self.user = user
        self.isAdmin = isAdmin
    }
}

/// The claims of a verified HS256 JWT that the hub acts on (PROTOCOL.md, "Identity and operations").
struct JWTClaims: Sendable, Equatable {
    /// `sub`: the user id the connection acts as.
    let sub: String
    /// `exp`: Unix seconds after which the token is refused (plus the leeway).
    let exp: Int64
    /// `nbf`: Unix seconds before which the token is refused (minus the leeway), if given.
    let nbf: Int64?
    /// `admin: true`: the connection may use `/ws/admin` and admin commands.
    let isAdmin: Bool
    /// `topics`: the topic patterns the token is restricted to, or nil for no restriction.
    ///
    /// A pattern is a topic name, or a prefix ending in `*` (`chat.*`, or `*` for everything).
    let topics: [String]?

    /// Whether the token's `topics` restriction lets it use `topic` (always true without one).
    func allows(topic: String) -> Bool {
        guard let topics else { return true }
        return topics.contains { JWTClaims.pattern($0, matches: topic) }
    }

    /// Whether `pattern` (exact, or a prefix followed by a final `*`) matches `topic`.
    static func pattern(_ pattern: String, matches topic: String) -> Bool {
        if pattern.hasSuffix("*") { return topic.utf8.starts(with: pattern.utf8.dropLast()) }
        return pattern == topic
    }

    /// Whether `pattern` is acceptable in a `topics` claim: non-empty, `*` only at its end.
    static func isValidPattern(_ pattern: String) -> Bool {
        guard !pattern.isEmpty else { return false }
        return !pattern.utf8.dropLast().contains(UInt8(ascii: "*"))
    }
}

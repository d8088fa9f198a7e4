/// The configured namespaces. A topic whose namespace is not here is refused (`forbidden`).
public struct Namespaces: Sendable, Equatable {
    /// Rules by namespace name.
    public var rules: [String: NamespaceRules]

    /// Namespaces from a table.
    public init(_ rules: [String: NamespaceRules]) {
        self.rules = rules
    }

    /// The default configuration: `public`, which anyone may use, history 100 for 5 minutes,
    /// presence on; and `chat`, for authenticated users, whose messages the mirroring engine
    /// analyses (PROTOCOL.md "Engines").
    public static let standard = Namespaces([
        "public": NamespaceRules(),
        "chat": NamespaceRules(subscribe: .authenticated, publish: .authenticated, mirror: true),
    ])

    /// The rules for a topic, or nil when its namespace is unknown.
    public func rules(for topic: String) -> NamespaceRules? {
        let ns = TopicName.namespace(of: topic)
        return rules[String(ns)]
    }
}

/// The rules of one namespace (PROTOCOL.md "Topics"): who may subscribe and publish, how much
/// history is kept and for how long, and whether presence is on.
public struct NamespaceRules: Sendable, Equatable {
    /// Who may subscribe (and read history and presence).
    public var subscribe: Permission
    /// Who may publish.
    public var publish: Permission
    /// Publications kept per topic for history and recovery; 0 keeps none.
    public var historySize: Int
    /// How long a publication stays in history, in seconds.
    public var historyTTL: Double
    /// Join/leave events and the `presence` command.
    public var presence: Bool
    /// Publications of authenticated users here are analysed by the mirroring engine.
    public var mirror: Bool

    /// Rules with the defaults of the `public` namespace.
    public init(subscribe: Permission = .anyone, publish: Permission = .anyone, historySize: Int = 100,
                historyTTL: Double = 300, presence: Bool = true, mirror: Bool = false) {
        self.mirror = mirror
        self.subscribe = subscribe
        self.publish = publish
        self.historySize = historySize
        self.historyTTL = historyTTL
        self.presence = presence
    }

    /// The history TTL in milliseconds.
    var historyTTLMs: UInt64 { UInt64(max(0, historyTTL * 1000)) }
}

/// The result of a subscribe, delivered through the subscriber's sink so that it is ordered with
/// the topic's publications.
public struct SubscribeOutcome: Sendable {
    /// Which subscriber.
    public let subscriber: UInt64
    /// The topic.
    public let topic: String
    /// The command's id, for the reply.
    public let requestID: Int?
    /// The topic's epoch and the offset of its latest publication (0 when none).
    public let position: StreamPosition
    /// When recovering: the publications after the client's offset, in order (empty unless
    /// `recovered` is true).
    public let missed: [Publication]
    /// nil without `recover`; otherwise whether every missed publication was still there.
    public let recovered: Bool?
    /// False when the subscriber was already subscribed (idempotent subscribe).
    public let isNew: Bool
}

/// A client joined or left a topic with presence on.
public struct PresenceEvent: Sendable, Equatable {
    /// Join or leave.
    public enum Kind: String, Sendable { case join, leave }
    /// Which.
    public var kind: Kind
    /// The topic.
    public var topic: String
    /// The client that joined or left.
    public var identity: ClientIdentity

    /// An event.
    public init(kind: Kind, topic: String, identity: ClientIdentity) {
        self.kind = kind
        self.topic = topic
        self.identity = identity
    }
}

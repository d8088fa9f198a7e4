/// The node-to-node side of the bus: publications made here go out to other nodes, and theirs
/// come in. Single-node hubs use `MemoryBroker`, which has no other node; the Redis broker (a
/// later issue) implements the same two calls.
public protocol Broker: Sendable {
    /// Hands a publication made on this node to the other nodes. Must not block.
    func forward(_ publication: Publication)
    /// Where publications from other nodes are to be delivered; set once by the bus.
    func setRemoteHandler(_ handler: @escaping @Sendable (Publication) -> Void)
}

/// The single-node broker: nothing leaves this process.
public final class MemoryBroker: Broker {
    /// A broker for one node.
    public init() {}
    public func forward(_ publication: Publication) {}
    public func setRemoteHandler(_ handler: @escaping @Sendable (Publication) -> Void) {}
}

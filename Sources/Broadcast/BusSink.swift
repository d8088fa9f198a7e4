/// Where the bus delivers: one per event loop in the hub. The bus groups subscribers by sink and
/// hands each sink one event per publication, so per-subscriber work happens on the sink's side,
/// once per loop, not in the bus (ARCHITECTURE.md §2).
///
/// `busDeliver` is called from a shard's isolation: it must not block (post to a mailbox).
/// Events for one topic arrive in the order the shard produced them.
public protocol BusSink: AnyObject, Sendable {
    /// Accepts one event.
    func busDeliver(_ event: BusEvent)
}

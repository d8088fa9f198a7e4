/// One loop's numbers for the admin stream, read on the loop's own thread.
struct LoopSnapshot: Sendable {
    let index: Int
    let connections: Int
    /// Tasks waiting in the mailbox (bus deliveries, replies) when sampled.
    let mailboxDepth: Int
    /// Bytes queued for sending across the loop's connections.
    let queuedBytes: Int
}

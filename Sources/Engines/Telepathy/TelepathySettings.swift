/// The telepathy engine's limits, from the hub's config (`telepathy_*` options).
public struct TelepathySettings: Sendable, Equatable {
    /// Seconds a message is kept, acked or not (`telepathy_expiry`, default 7 days).
    public var expiry: Double
    /// Unacked messages one recipient may have before `send` to them is refused
    /// (`telepathy_max_pending`, default 10,000).
    public var maxPending: Int
    /// Largest `data` in bytes (the hub passes `max_command_bytes`, 64 KiB: the HTTP API then
    /// allows no more than a WebSocket `send`).
    public var maxDataBytes: Int
    /// Bytes of pushes delivered to one user and not yet acked before delivery waits for acks
    /// (the hub passes half of `max_outbound_bytes`, so a long backlog never makes the recipient a
    /// slow consumer).
    public var windowBytes: Int

    public init(expiry: Double = 604_800, maxPending: Int = 10_000, maxDataBytes: Int = 65_536,
                windowBytes: Int = 524_288) {
        self.expiry = expiry
        self.maxPending = maxPending
        self.maxDataBytes = maxDataBytes
        self.windowBytes = windowBytes
    }

    /// Seconds between two runs of the expiry task: a quarter of the expiry, within 0.1 s … 60 s.
    public var expiryInterval: Double { min(60, max(0.1, expiry / 4)) }
}

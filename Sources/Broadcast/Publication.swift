/// One message published on a topic. Immutable and shared: the same instance sits in history and
/// goes to every loop with subscribers; `data` is the publisher's JSON, byte for byte.
public final class Publication: Sendable {
    /// The topic.
    public let topic: String
    /// Its offset in the topic's stream (1, 2, …).
    public let offset: UInt64
    /// The stream's epoch when it was published.
    public let epoch: String
    /// The publisher's `data`, raw JSON bytes (never re-serialized).
    public let data: [UInt8]
    /// Who published it, when a client did.
    public let from: ClientIdentity?
    /// Extra members of the push, as raw JSON written between `offset` and `data` without the
    /// surrounding commas (`"message":"m-1","from":{"user":"alice"}` for a direct message); nil
    /// for ordinary publications. Engines set it; `data` stays the publisher's bytes.
    public let extra: [UInt8]?
    /// When it was published, on the bus's clock (ms), for history TTL.
    public let timeMs: UInt64
    /// When it was published (CLOCK_MONOTONIC ns), for publish→write latency.
    public let timeNs: UInt64

    /// A publication.
    public init(topic: String, offset: UInt64, epoch: String, data: [UInt8], from: ClientIdentity?, timeMs: UInt64,
                timeNs: UInt64 = Bus.monotonicNs(), extra: [UInt8]? = nil) {
        self.topic = topic
        self.offset = offset
        self.epoch = epoch
        self.data = data
        self.from = from
        self.extra = extra
        self.timeMs = timeMs
        self.timeNs = timeNs
    }
}

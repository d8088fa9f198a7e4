import Glibc

/// The pub/sub bus: topic shards as actors keyed by a hash of the topic name (ARCHITECTURE.md §4).
/// It knows nothing of sockets or frames: subscribers are ids grouped by the `BusSink` (one per
/// event loop) that delivers to them, publications are immutable shared `Publication`s.
///
/// Callers talk to it through a `BusPort`, which keeps each caller's commands to one shard in
/// order.
public final class Bus: Sendable {
    /// The namespace rules in force.
    public let namespaces: Namespaces
    let shards: [TopicShard]

    private final class DiscardingSink: BusSink {
        func busDeliver(_ event: BusEvent) {}
    }
    private let broker: any Broker

    /// A bus of `shardCount` shards (at least one).
    public init(namespaces: Namespaces = .standard, shardCount: Int = 16, broker: any Broker = MemoryBroker(),
                clock: @escaping @Sendable () -> UInt64 = Bus.monotonicMs) {
        self.namespaces = namespaces
        self.broker = broker
        let n = max(1, shardCount)
        shards = (0..<n).map { TopicShard(index: $0, namespaces: namespaces, broker: broker, clock: clock) }
        let shards = self.shards
        broker.setRemoteHandler { p in
            let shard = shards[Int(Bus.hash(p.topic) % UInt64(shards.count))]
            Task.onHub { await shard.execute(.remote(p)) }
        }
    }

    /// The shard index of a topic (FNV-1a of its name: stable across processes and nodes).
    public func shardIndex(for topic: String) -> Int { Int(Self.hash(topic) % UInt64(shards.count)) }

    static func hash(_ topic: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in topic.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// A port that only publishes (its sink drops everything): for the server's own publishers.
    public func publisherPort() -> BusPort { BusPort(bus: self, sink: DiscardingSink()) }

    /// Counts summed over every shard.
    public func stats() async -> ShardStats {
        var total = ShardStats()
        for shard in shards {
            let s = await withCheckedContinuation { (c: CheckedContinuation<ShardStats, Never>) in
                Task.onHub { await shard.execute(.stats(reply: { c.resume(returning: $0) })) }
            }
            total.topics += s.topics
            total.subscriptions += s.subscriptions
            total.subscribersByTopic.merge(s.subscribersByTopic) { a, _ in a }
        }
        return total
    }

    /// Drops expired history and empty topics in every shard.
    public func sweep() async {
        for shard in shards { await shard.execute(.sweep) }
    }

    /// Nanoseconds on CLOCK_MONOTONIC.
    @Sendable public static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Milliseconds on CLOCK_MONOTONIC.
    @Sendable public static func monotonicMs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}

/// One caller's ordered way into the bus (the hub makes one per event loop).
///
/// A fire-and-forget `Task` per command would give no ordering; instead each port has one stream
/// per shard with a single consumer task, so the commands a loop sends to one shard (subscribe,
/// then publish, on the same topic) are executed in the order they were sent. Sending is
/// non-blocking and safe from any thread.
public final class BusPort: Sendable {
    /// The bus this port leads into.
    public let bus: Bus
    private let streams: [AsyncStream<BusCommand>.Continuation]
    /// The sink subscriptions made through this port deliver to.
    public let sink: any BusSink

    /// A port whose subscriptions deliver to `sink`.
    public init(bus: Bus, sink: any BusSink) {
        self.bus = bus
        self.sink = sink
        var streams: [AsyncStream<BusCommand>.Continuation] = []
        for shard in bus.shards {
            let (stream, continuation) = AsyncStream<BusCommand>.makeStream(bufferingPolicy: .unbounded)
            streams.append(continuation)
            Task.onHub {
                for await command in stream { await shard.execute(command) }
            }
        }
        self.streams = streams
    }

    deinit {
        for s in streams { s.finish() }
    }

    /// Stops the consumer tasks; later commands are dropped.
    public func close() {
        for s in streams { s.finish() }
    }

    private func send(_ topic: String, _ command: BusCommand) {
        streams[bus.shardIndex(for: topic)].yield(command)
    }

    /// Subscribes `subscriber`; the outcome arrives through the sink as `.subscribed`.
    public func subscribe(_ subscriber: UInt64, identity: ClientIdentity, topic: String, recover: StreamPosition?, requestID: Int?) {
        send(topic, .subscribe(SubscribeRequest(subscriber: subscriber, identity: identity, topic: topic,
                                                recover: recover, requestID: requestID, sink: sink)))
    }

    /// Removes a subscription (no reply; unknown subscriptions are ignored).
    public func unsubscribe(_ subscriber: UInt64, topic: String) {
        send(topic, .unsubscribe(subscriber: subscriber, topic: topic))
    }

    /// Publishes; `reply` gets the publication (with its offset) or why it was refused.
    /// `extra` is raw JSON members for the push (see `Publication.extra`).
    public func publish(topic: String, data: [UInt8], from: ClientIdentity?, extra: [UInt8]? = nil,
                        reply: @escaping @Sendable (Result<Publication, BusError>) -> Void) {
        send(topic, .publish(topic: topic, data: data, from: from, extra: extra, reply: reply))
    }

    /// Reads history.
    public func history(topic: String, limit: Int?, since: StreamPosition?,
                        reply: @escaping @Sendable (Result<HistoryResult, BusError>) -> Void) {
        send(topic, .history(topic: topic, limit: limit, since: since, reply: reply))
    }

    /// Lists who is subscribed (presence must be on).
    public func presence(topic: String, reply: @escaping @Sendable (Result<[ClientIdentity], BusError>) -> Void) {
        send(topic, .presence(topic: topic, reply: reply))
    }
}

import Synchronization

/// One shard of the bus: the topics whose name hashes to it, owned by an actor so every change
/// to a topic (subscribe, publish, unsubscribe) is serialised without locks, and deliveries for a
/// topic leave in the order its publications got their offsets.
actor TopicShard {
    let index: Int
    private let namespaces: Namespaces
    private let broker: any Broker
    private let clock: @Sendable () -> UInt64
    private var topics: [String: TopicState] = [:]
    private var epochCounter: UInt64 = 0
    private let epochSeed: UInt64

    init(index: Int, namespaces: Namespaces, broker: any Broker, clock: @escaping @Sendable () -> UInt64) {
        self.index = index
        self.namespaces = namespaces
        self.broker = broker
        self.clock = clock
        self.epochSeed = UInt64.random(in: 1...UInt64.max)
    }

    // MARK: - Commands

    func execute(_ command: BusCommand) {
        switch command {
        case .subscribe(let request):
            subscribe(request)
        case .unsubscribe(let subscriber, let topic):
            unsubscribe(subscriber, from: topic)
        case .publish(let topic, let data, let from, let extra, let reply):
            reply(publish(topic, data: data, from: from, extra: extra))
        case .history(let topic, let limit, let since, let reply):
            reply(history(topic, limit: limit, since: since))
        case .presence(let topic, let reply):
            reply(presence(topic))
        case .remote(let publication):
            acceptRemote(publication)
        case .stats(let reply):
            reply(stats())
        case .sweep:
            sweep()
        }
    }

    private func rules(_ topic: String) -> NamespaceRules? { namespaces.rules(for: topic) }

    /// The topic's state, created (with a fresh epoch) when it does not exist; history older than
    /// the TTL is dropped first.
    private func state(_ topic: String, _ rules: NamespaceRules) -> TopicState {
        if var s = topics[topic] {
            if s.history.count > 0 {
                let now = clock()
                if now > rules.historyTTLMs { s.history.expire(olderThan: now - rules.historyTTLMs) }
            }
            return s
        }
        epochCounter += 1
        let epoch = String((epochSeed &+ epochCounter &* 0x9E37_79B9_7F4A_7C15) >> 16, radix: 36)
        return TopicState(epoch: epoch, historySize: rules.historySize)
    }

    private func subscribe(_ r: SubscribeRequest) {
        guard let rules = rules(r.topic) else {
            r.sink.busDeliver(.subscribed(SubscribeOutcome(
                subscriber: r.subscriber, topic: r.topic, requestID: r.requestID,
                position: StreamPosition(epoch: "", offset: 0), missed: [], recovered: r.recover == nil ? nil : false,
                isNew: false)))
            return
        }
        var s = state(r.topic, rules)
        let sinkID = ObjectIdentifier(r.sink)
        let isNew = s.members[r.subscriber] == nil
        if isNew {
            s.members[r.subscriber] = TopicState.Member(identity: r.identity, sink: sinkID)
            s.sinks[sinkID, default: TopicState.SinkEntry(sink: r.sink, count: 0)].count += 1
        }
        var missed: [Publication] = []
        var recovered: Bool?
        if let since = r.recover {
            recovered = false
            if since.epoch == s.epoch && since.offset <= s.offset {
                // Everything after `since.offset` must still be in history, or nothing is replayed.
                let needed = since.offset + 1
                if since.offset == s.offset {
                    recovered = true
                } else if let first = s.history.firstOffset, first <= needed {
                    missed = s.history.publications(after: since.offset)
                    recovered = true
                }
            }
        }
        let position = s.position
        topics[r.topic] = s
        r.sink.busDeliver(.subscribed(SubscribeOutcome(
            subscriber: r.subscriber, topic: r.topic, requestID: r.requestID, position: position,
            missed: missed, recovered: recovered, isNew: isNew)))
        if isNew && rules.presence {
            deliver(.presence(PresenceEvent(kind: .join, topic: r.topic, identity: r.identity)), to: s)
        }
    }

    private func unsubscribe(_ subscriber: UInt64, from topic: String) {
        guard var s = topics[topic], let member = s.members.removeValue(forKey: subscriber) else { return }
        if var entry = s.sinks[member.sink] {
            entry.count -= 1
            s.sinks[member.sink] = entry.count > 0 ? entry : nil
        }
        if let rules = rules(topic), rules.presence {
            deliver(.presence(PresenceEvent(kind: .leave, topic: topic, identity: member.identity)), to: s)
        }
        topics[topic] = s.isDisposable ? nil : s
    }

    private func publish(_ topic: String, data: [UInt8], from: ClientIdentity?, extra: [UInt8]?) -> Result<Publication, BusError> {
        guard let rules = rules(topic) else { return .failure(.unknownNamespace(String(TopicName.namespace(of: topic)))) }
        var s = state(topic, rules)
        s.offset += 1
        let p = Publication(topic: topic, offset: s.offset, epoch: s.epoch, data: data, from: from, timeMs: clock(),
                            extra: extra)
        s.history.append(p)
        // A topic nobody subscribes to and without history keeps no state; its next publication
        // starts a new epoch, which is what a recovering client must be told anyway.
        if s.isDisposable { topics[topic] = nil } else { topics[topic] = s }
        deliver(.publication(p), to: s)
        broker.forward(p)
        return .success(p)
    }

    /// A publication from another node: store and deliver it as if published here.
    private func acceptRemote(_ p: Publication) {
        guard let rules = rules(p.topic) else { return }
        var s = state(p.topic, rules)
        if p.offset <= s.offset { return }
        s.offset = p.offset
        s.history.append(p)
        topics[p.topic] = s
        deliver(.publication(p), to: s)
    }

    private func history(_ topic: String, limit: Int?, since: StreamPosition?) -> Result<HistoryResult, BusError> {
        guard let rules = rules(topic) else { return .failure(.unknownNamespace(String(TopicName.namespace(of: topic)))) }
        let s = state(topic, rules)
        if topics[topic] != nil { topics[topic] = s }
        if let since {
            guard since.epoch == s.epoch else { return .success(HistoryResult(position: s.position, publications: [])) }
            return .success(HistoryResult(position: s.position, publications: s.history.publications(after: since.offset, limit: limit)))
        }
        return .success(HistoryResult(position: s.position, publications: s.history.publications(limit: limit)))
    }

    private func presence(_ topic: String) -> Result<[ClientIdentity], BusError> {
        guard let rules = rules(topic) else { return .failure(.unknownNamespace(String(TopicName.namespace(of: topic)))) }
        guard rules.presence else { return .failure(.presenceDisabled) }
        let members = topics[topic]?.members.values.map(\.identity) ?? []
        return .success(members.sorted { $0.client < $1.client })
    }

    private func stats() -> ShardStats {
        var subscriptions = 0
        var perTopic: [String: Int] = [:]
        for (name, s) in topics {
            subscriptions += s.members.count
            perTopic[name] = s.members.count
        }
        return ShardStats(topics: topics.count, subscriptions: subscriptions, subscribersByTopic: perTopic)
    }

    /// Drops expired history and topics that hold nothing.
    private func sweep() {
        let now = clock()
        for (name, var s) in topics {
            if let rules = rules(name), now > rules.historyTTLMs { s.history.expire(olderThan: now - rules.historyTTLMs) }
            topics[name] = s.isDisposable ? nil : s
        }
    }

    private func deliver(_ event: BusEvent, to s: TopicState) {
        for entry in s.sinks.values { entry.sink.busDeliver(event) }
    }
}

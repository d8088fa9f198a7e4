/// Everything a shard knows about one topic: its stream (epoch, offset, history), which sinks
/// have subscribers and how many, and the subscribers themselves (for presence).
struct TopicState {
    struct SinkEntry {
        let sink: any BusSink
        var count: Int
    }

    struct Member {
        let identity: ClientIdentity
        let sink: ObjectIdentifier
    }

    let epoch: String
    var offset: UInt64 = 0
    var history: HistoryRing
    var sinks: [ObjectIdentifier: SinkEntry] = [:]
    var members: [UInt64: Member] = [:]

    init(epoch: String, historySize: Int) {
        self.epoch = epoch
        self.history = HistoryRing(capacity: historySize)
    }

    var position: StreamPosition { StreamPosition(epoch: epoch, offset: offset) }

    /// Nothing would be lost by forgetting this topic.
    var isDisposable: Bool { members.isEmpty && history.count == 0 }
}

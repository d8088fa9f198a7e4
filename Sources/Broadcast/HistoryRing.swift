/// The last N publications of a topic, oldest first, with a time-to-live.
struct HistoryRing {
    private var items: [Publication?]
    private var start = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        self.items = []
    }

    /// Appends, dropping the oldest when full.
    mutating func append(_ p: Publication) {
        guard capacity > 0 else { return }
        if items.count < capacity {
            items.append(p)
            count += 1
            return
        }
        if count < capacity {
            items[(start + count) % capacity] = p
            count += 1
        } else {
            items[start] = p
            start = (start + 1) % capacity
        }
    }

    /// Drops publications older than `cutoffMs`.
    mutating func expire(olderThan cutoffMs: UInt64) {
        while count > 0, let first = items[start], first.timeMs < cutoffMs {
            items[start] = nil
            start = (start + 1) % max(1, items.count)
            count -= 1
        }
        if count == 0 { start = 0; items.removeAll(keepingCapacity: true) }
    }

    /// The oldest retained offset, or nil when empty.
    var firstOffset: UInt64? { count > 0 ? items[start]?.offset : nil }

    /// Retained publications with offset > `after`, oldest first, at most the newest `limit`.
    func publications(after: UInt64 = 0, limit: Int? = nil) -> [Publication] {
        var out: [Publication] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            if let p = items[(start + i) % items.count], p.offset > after { out.append(p) }
        }
        if let limit, out.count > limit { out.removeFirst(out.count - limit) }
        return out
    }
}

/// The last `capacity` words a user wrote, with a count per distinct word, so the type/token
/// ratio of the window is O(1) to read and O(1) per word to update.
public struct MirrorWordWindow: Sendable, Equatable {
    /// Most words kept.
    public let capacity: Int
    private var ring: [String] = []
    private var next = 0
    private var counts: [String: Int] = [:]

    /// An empty window of `capacity` (> 0) words.
    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Words in the window.
    public var count: Int { ring.count }
    /// Distinct words in the window.
    public var distinct: Int { counts.count }
    /// distinct / count, nil while empty.
    public var ratio: Double? { ring.isEmpty ? nil : Double(counts.count) / Double(ring.count) }

    /// Adds words; the oldest fall out beyond `capacity`.
    public mutating func add(_ words: [String]) {
        for w in words {
            if ring.count < capacity {
                ring.append(w)
            } else {
                let old = ring[next]
                if let n = counts[old], n > 1 { counts[old] = n - 1 } else { counts[old] = nil }
                ring[next] = w
                next = (next + 1) % capacity
            }
            counts[w, default: 0] += 1
        }
    }
}

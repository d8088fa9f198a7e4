/// The connections of one loop subscribed to one topic: an array for fast fan-out plus an index
/// for O(1) removal (swap with the last).
struct LocalTopic {
    private(set) var connections: [Connection] = []
    private var positions: [UInt64: Int] = [:]

    var isEmpty: Bool { connections.isEmpty }
    var count: Int { connections.count }

    func contains(_ id: UInt64) -> Bool { positions[id] != nil }

    /// Adds `c` unless present.
    mutating func insert(_ c: Connection) {
        guard positions[c.id] == nil else { return }
        positions[c.id] = connections.count
        connections.append(c)
    }

    /// Removes the connection with `id` if present.
    mutating func remove(_ id: UInt64) {
        guard let i = positions.removeValue(forKey: id) else { return }
        let last = connections.count - 1
        if i != last {
            let moved = connections[last]
            connections[i] = moved
            positions[moved.id] = i
        }
        connections.removeLast()
    }
}

import Synchronization

/// A byte-budgeted least-recently-used cache whose entries also expire: what the hub keeps
/// close at hand so it does not ask the store (or an engine) again within a few seconds.
///
/// Each entry has a cost in bytes, given by the caller (an estimate of what the entry holds);
/// when the costs add up to more than `budgetBytes`, the least recently used entries go first.
/// Each entry has a time to live; a lookup of an expired entry drops it and misses, and
/// `evictExpired()` (the `cache_eviction` task) sweeps the rest. `get` and `put` are O(1): a
/// dictionary from key to slot, and a doubly linked recency list threaded through one array of
/// slots by index (freed slots are reused), so there is no object per entry. One `Mutex` guards
/// everything.
///
/// `removeAll()` bumps a generation; `put(…, ifGeneration:)` stores only if no invalidation
/// happened since the caller read `generation`, so a result computed before an invalidation
/// (a token checked just before its revocation was noticed) cannot slip in after it.
final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: ManagedCache, Sendable {
    private struct Slot {
        var key: Key?
        var value: Value?
        var cost = 0
        var expiresNs: UInt64 = 0
        /// Towards the most recently used end; -1 at the head.
        var prev = -1
        /// Towards the least recently used end; -1 at the tail.
        var next = -1
    }

    private struct Storage {
        var index: [Key: Int] = [:]
        var slots: [Slot] = []
        var free: [Int] = []
        /// Most recently used.
        var head = -1
        /// Least recently used: the next to go.
        var tail = -1
        var bytes = 0
        var generation: UInt64 = 0
        var hits = 0
        var misses = 0
        var evictions = 0
        var expirations = 0
        var invalidations = 0

        mutating func unlink(_ i: Int) {
            let p = slots[i].prev, n = slots[i].next
            if p >= 0 { slots[p].next = n } else { head = n }
            if n >= 0 { slots[n].prev = p } else { tail = p }
            slots[i].prev = -1
            slots[i].next = -1
        }

        mutating func pushFront(_ i: Int) {
            slots[i].prev = -1
            slots[i].next = head
            if head >= 0 { slots[head].prev = i }
            head = i
            if tail < 0 { tail = i }
        }

        /// Unlinks slot `i`, forgets its key and frees it.
        mutating func remove(_ i: Int) {
            unlink(i)
            if let key = slots[i].key { index[key] = nil }
            bytes -= slots[i].cost
            slots[i] = Slot()
            free.append(i)
        }
    }

    let name: String
    /// The most the entries' costs may add up to.
    let budgetBytes: Int
    /// The time to live of an entry put without one, in seconds.
    let defaultTTL: Double
    private let storage = Mutex(Storage())
    private let clock: @Sendable () -> UInt64

    /// - Parameters:
    ///   - budgetBytes: the sum of the entries' costs it keeps at most.
    ///   - ttl: seconds an entry lives unless `put` says otherwise.
    ///   - clock: monotonic nanoseconds (tests move their own).
    init(name: String, budgetBytes: Int, ttl: Double, clock: @escaping @Sendable () -> UInt64 = MonotonicClock.nowNs) {
        precondition(budgetBytes >= 0 && ttl >= 0)
        self.name = name
        self.budgetBytes = budgetBytes
        self.defaultTTL = ttl
        self.clock = clock
    }

    /// The value for `key` if present and unexpired (it becomes the most recently used), else nil.
    func get(_ key: Key) -> Value? {
        let now = clock()
        return storage.withLock { s -> Value? in
            guard let i = s.index[key] else {
                s.misses += 1
                return nil
            }
            if s.slots[i].expiresNs <= now {
                s.remove(i)
                s.expirations += 1
                s.misses += 1
                return nil
            }
            s.hits += 1
            if s.head != i {
                s.unlink(i)
                s.pushFront(i)
            }
            return s.slots[i].value
        }
    }

    /// Stores `value` under `key` as the most recently used entry, replacing any older one, then
    /// evicts from the least recently used end until the costs fit the budget.
    /// - Parameters:
    ///   - cost: what the entry holds, in bytes (the caller's estimate); an entry costing more
    ///     than the whole budget is not stored.
    ///   - ttl: seconds it lives (default `defaultTTL`); 0 or less stores nothing.
    ///   - ifGeneration: store only if `generation` still has this value (no `removeAll` since).
    /// - Returns: whether it was stored.
    @discardableResult
    func put(_ key: Key, _ value: Value, cost: Int, ttl: Double? = nil, ifGeneration: UInt64? = nil) -> Bool {
        let life = ttl ?? defaultTTL
        let now = clock()
        return storage.withLock { s -> Bool in
            if let g = ifGeneration, g != s.generation { return false }
            if let old = s.index[key] { s.remove(old) }
            guard life > 0, cost <= budgetBytes else { return false }
            let i: Int
            if let f = s.free.popLast() {
                i = f
            } else {
                i = s.slots.count
                s.slots.append(Slot())
            }
            s.slots[i] = Slot(key: key, value: value, cost: max(0, cost), expiresNs: now &+ UInt64(life * 1e9))
            s.index[key] = i
            s.bytes += s.slots[i].cost
            s.pushFront(i)
            while s.bytes > budgetBytes, s.tail >= 0, s.tail != i {
                let victim = s.tail
                if s.slots[victim].expiresNs <= now { s.expirations += 1 } else { s.evictions += 1 }
                s.remove(victim)
            }
            return true
        }
    }

    /// Drops the entry for `key`; returns whether there was one.
    @discardableResult
    func remove(_ key: Key) -> Bool {
        storage.withLock { s -> Bool in
            guard let i = s.index[key] else { return false }
            s.remove(i)
            return true
        }
    }

    /// Drops every entry and bumps `generation`.
    func removeAll() {
        storage.withLock { s in
            let generation = s.generation &+ 1
            let counters = (s.hits, s.misses, s.evictions, s.expirations, s.invalidations + 1)
            s = Storage()
            s.generation = generation
            (s.hits, s.misses, s.evictions, s.expirations, s.invalidations) = counters
        }
    }

    /// Bumped by every `removeAll`; read it before computing a value to `put(…, ifGeneration:)`.
    var generation: UInt64 { storage.withLock { $0.generation } }

    /// Keys from most to least recently used (tests, debugging).
    var keysByRecency: [Key] {
        storage.withLock { s in
            var keys: [Key] = []
            var i = s.head
            while i >= 0 {
                if let k = s.slots[i].key { keys.append(k) }
                i = s.slots[i].next
            }
            return keys
        }
    }

    @discardableResult
    func evictExpired() -> Int {
        let now = clock()
        return storage.withLock { s -> Int in
            var dropped = 0
            for i in s.slots.indices where s.slots[i].key != nil && s.slots[i].expiresNs <= now {
                s.remove(i)
                dropped += 1
            }
            s.expirations += dropped
            // A cache that shrank a lot gives its slot array back.
            if s.index.isEmpty && s.slots.count > 64 {
                s.slots = []
                s.free = []
            }
            return dropped
        }
    }

    func stats() -> CacheStats {
        storage.withLock { s in
            CacheStats(name: name, entries: s.index.count, bytes: s.bytes, budgetBytes: budgetBytes, ttl: defaultTTL,
                       hits: s.hits, misses: s.misses, evictions: s.evictions, expirations: s.expirations,
                       invalidations: s.invalidations)
        }
    }
}

import Testing
@testable import Hub

/// The LRU + TTL cache: recency order, the byte budget, expiry, counters and invalidation, and a
/// seeded random run against a plain reference model.
@Suite struct LRUCacheTests {
    static func cache(budget: Int = 1000, ttl: Double = 5, _ clock: ManualClock) -> LRUCache<String, Int> {
        LRUCache(name: "test", budgetBytes: budget, ttl: ttl, clock: clock.now)
    }

    @Test func getMakesAnEntryTheMostRecent() {
        let c = Self.cache(ManualClock())
        for (i, k) in ["a", "b", "c"].enumerated() { c.put(k, i, cost: 10) }
        #expect(c.keysByRecency == ["c", "b", "a"])
        #expect(c.get("a") == 0)
        #expect(c.keysByRecency == ["a", "c", "b"])
        c.put("b", 9, cost: 10)  // replacing also refreshes
        #expect(c.keysByRecency == ["b", "a", "c"])
        #expect(c.get("b") == 9)
        #expect(c.stats().entries == 3 && c.stats().bytes == 30)
    }

    @Test func theByteBudgetEvictsTheLeastRecentlyUsed() {
        let c = Self.cache(budget: 100, ManualClock())
        c.put("a", 1, cost: 40)
        c.put("b", 2, cost: 40)
        _ = c.get("a")
        c.put("c", 3, cost: 40)  // 120 > 100: b, the least recently used, goes
        #expect(c.keysByRecency == ["c", "a"])
        #expect(c.get("b") == nil)
        var s = c.stats()
        #expect(s.bytes == 80 && s.evictions == 1)
        c.put("big", 4, cost: 100)  // fits only alone
        #expect(c.keysByRecency == ["big"])
        s = c.stats()
        #expect(s.bytes == 100 && s.evictions == 3)
        #expect(c.put("huge", 5, cost: 101) == false, "an entry over the whole budget is not stored")
        #expect(c.keysByRecency == ["big"])
        c.put("big", 6, cost: 10)  // a replacement's cost replaces the old one
        #expect(c.stats().bytes == 10)
    }

    @Test func entriesExpireAtTheirTimeToLive() {
        let clock = ManualClock()
        let c = Self.cache(ttl: 5, clock)
        c.put("default", 1, cost: 1)
        c.put("short", 2, cost: 1, ttl: 1)
        c.put("none", 3, cost: 1, ttl: 0)
        #expect(c.get("none") == nil, "a zero TTL stores nothing")
        clock.advance(0.5)
        #expect(c.get("short") == 2)
        clock.advance(0.5)
        #expect(c.get("short") == nil)
        clock.advance(3.5)
        #expect(c.get("default") == 1)
        clock.advance(0.5)
        #expect(c.get("default") == nil)
        let s = c.stats()
        #expect(s.expirations == 2 && s.entries == 0 && s.bytes == 0)
    }

    @Test func theSweepDropsOnlyExpiredEntries() {
        let clock = ManualClock()
        let c = Self.cache(clock)
        for i in 0..<10 { c.put("old\(i)", i, cost: 5, ttl: 1) }
        c.put("young", 99, cost: 5, ttl: 10)
        clock.advance(2)
        #expect(c.evictExpired() == 10)
        #expect(c.keysByRecency == ["young"])
        #expect(c.stats().expirations == 10 && c.stats().bytes == 5)
        c.put("again", 1, cost: 5)  // freed slots are reused
        #expect(c.keysByRecency == ["again", "young"])
    }

    @Test func countersAndHitRatio() {
        let c = Self.cache(ManualClock())
        #expect(c.stats().hitRatio == 0)
        c.put("a", 1, cost: 1)
        _ = c.get("a")
        _ = c.get("a")
        _ = c.get("a")
        _ = c.get("b")
        let s = c.stats()
        #expect(s.hits == 3 && s.misses == 1)
        #expect(s.hitRatio == 0.75)
        #expect(s.name == "test" && s.budgetBytes == 1000 && s.ttl == 5)
    }

    @Test func invalidateAllEmptiesItAndRefusesOlderResults() {
        let c = Self.cache(ManualClock())
        c.put("a", 1, cost: 10)
        c.put("b", 2, cost: 10)
        _ = c.get("a")
        let before = c.generation
        c.removeAll()
        #expect(c.generation == before + 1)
        #expect(c.get("a") == nil && c.get("b") == nil)
        let s = c.stats()
        #expect(s.entries == 0 && s.bytes == 0 && s.invalidations == 1)
        #expect(s.hits == 1 && s.misses == 2, "counters survive an invalidation")
        // A value computed before the invalidation is not stored after it.
        #expect(c.put("a", 1, cost: 10, ifGeneration: before) == false)
        #expect(c.get("a") == nil)
        #expect(c.put("a", 1, cost: 10, ifGeneration: c.generation))
        #expect(c.get("a") == 1)
    }

    @Test func removeDropsOneEntry() {
        let c = Self.cache(ManualClock())
        c.put("a", 1, cost: 3)
        c.put("b", 2, cost: 4)
        #expect(c.remove("a"))
        #expect(!c.remove("a"))
        #expect(c.keysByRecency == ["b"] && c.stats().bytes == 4)
    }

    /// Thousands of random operations, compared step by step with a model that keeps keys in
    /// recency order in a plain array.
    @Test(arguments: [1, 2, 3])
    func matchesAReferenceModel(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let clock = ManualClock()
        let budget = 200
        let c = LRUCache<Int, Int>(name: "model", budgetBytes: budget, ttl: 3, clock: clock.now)
        struct Entry { var key: Int; var value: Int; var cost: Int; var expires: Double }
        var model: [Entry] = []  // most recent first
        var now = 0.0
        for step in 0..<5000 {
            let key = Int(rng.next() % 40)
            switch rng.next() % 10 {
            case 0...3:
                let value = Int(rng.next() % 1000), cost = Int(rng.next() % 60) + 1
                c.put(key, value, cost: cost)
                model.removeAll { $0.key == key }
                model.insert(Entry(key: key, value: value, cost: cost, expires: now + 3), at: 0)
                while model.reduce(0, { $0 + $1.cost }) > budget { model.removeLast() }
            case 4...7:
                let got = c.get(key)
                if let i = model.firstIndex(where: { $0.key == key }) {
                    if model[i].expires <= now {
                        model.remove(at: i)
                        #expect(got == nil, "step \(step)")
                    } else {
                        let e = model.remove(at: i)
                        model.insert(e, at: 0)
                        #expect(got == e.value, "step \(step)")
                    }
                } else {
                    #expect(got == nil, "step \(step)")
                }
            case 8:
                clock.advance(0.25)
                now += 0.25
            default:
                c.evictExpired()
                model.removeAll { $0.expires <= now }
            }
            #expect(c.keysByRecency == model.map(\.key), "step \(step)")
            #expect(c.stats().bytes == model.reduce(0) { $0 + $1.cost }, "step \(step)")
            if c.keysByRecency != model.map(\.key) { return }
        }
    }
}

/// A small seeded generator (SplitMix64) for reproducible random runs.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

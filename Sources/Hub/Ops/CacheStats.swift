/// One cache's size and counters at a moment, for `/health/cache` and `/metrics`. Counters only grow.
struct CacheStats: Sendable, Equatable {
    var name: String
    var entries: Int
    /// The sum of the entries' costs, as their callers gave them.
    var bytes: Int
    var budgetBytes: Int
    /// The default time to live of an entry, in seconds.
    var ttl: Double
    var hits: Int
    /// Lookups that found nothing, or an entry past its time to live.
    var misses: Int
    /// Entries dropped to stay within the byte budget.
    var evictions: Int
    /// Entries dropped because their time to live was over (on lookup or by the sweep).
    var expirations: Int
    /// Whole-cache invalidations (`removeAll`).
    var invalidations: Int

    /// hits / (hits + misses); 0 before the first lookup.
    var hitRatio: Double {
        let lookups = hits + misses
        return lookups == 0 ? 0 : Double(hits) / Double(lookups)
    }
}

/// What the hub needs of any cache, whatever its key and value types: its statistics for health
/// and metrics, and the periodic sweep of expired entries (the `cache_eviction` task).
protocol ManagedCache: AnyObject, Sendable {
    var name: String { get }
    func stats() -> CacheStats
    /// Drops every entry past its time to live; returns how many.
    @discardableResult func evictExpired() -> Int
}

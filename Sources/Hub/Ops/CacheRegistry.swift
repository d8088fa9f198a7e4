import Synchronization

/// Every cache of a running hub: the server owns one; `/health/cache`, `/metrics` and the
/// `cache_eviction` task go through it.
final class CacheRegistry: Sendable {
    private let caches = Mutex<[any ManagedCache]>([])

    init() {}

    /// Adds `cache`; a cache of the same name is replaced.
    func register(_ cache: any ManagedCache) {
        caches.withLock { list in
            if let i = list.firstIndex(where: { $0.name == cache.name }) { list[i] = cache } else { list.append(cache) }
        }
    }

    /// Every cache, in registration order.
    var all: [any ManagedCache] { caches.withLock { $0 } }

    /// Each cache's statistics, in registration order.
    func stats() -> [CacheStats] { all.map { $0.stats() } }

    /// Sweeps every cache; returns how many entries were dropped in all.
    @discardableResult
    func evictExpired() -> Int { all.reduce(0) { $0 + $1.evictExpired() } }
}

import Synchronization

/// Failed token checks per remote IP, in fixed one-minute windows (config
/// `auth_failures_per_minute`): once an address has failed `limit` times in its window, its
/// `/ws/auth`, `/ws/admin` and `/api/v1/*` requests get HTTP 429 until the window ends, so at most
/// `limit` guesses a minute are ever checked.
///
/// Shared by every loop (one mutex, taken once per failure and once per guarded request: a
/// dictionary lookup). The table is bounded: when it is full, expired windows are dropped first,
/// then the oldest window, so a flood of addresses cannot grow it without limit.
final class FailureLimiter: Sendable {
    /// Failures allowed per address and window; 0 disables the limiter.
    let limit: Int
    /// The window length in ms.
    let windowMs: UInt64
    /// Most addresses tracked at once.
    let capacity: Int
    private let clock: @Sendable () -> UInt64

    private struct Window {
        var startMs: UInt64
        var failures: Int
    }
    private let windows = Mutex<[String: Window]>([:])

    init(limit: Int, windowMs: UInt64 = 60_000, capacity: Int = 10_000,
         clock: @escaping @Sendable () -> UInt64 = { MonotonicClock.nowMs() }) {
        self.limit = max(0, limit)
        self.windowMs = max(1, windowMs)
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Records one failed token check from `remoteAddress` (`ip:port`, `[v6]:port` or a bare IP);
    /// returns whether the address is now blocked.
    @discardableResult
    func recordFailure(from remoteAddress: String) -> Bool {
        guard limit > 0 else { return false }
        let key = Self.host(of: remoteAddress), now = clock()
        return windows.withLock { table -> Bool in
            if var w = table[key], now &- w.startMs < windowMs {
                w.failures += 1
                table[key] = w
                return w.failures >= limit
            }
            if table[key] == nil && table.count >= capacity { evict(&table, now: now) }
            table[key] = Window(startMs: now, failures: 1)
            return 1 >= limit
        }
    }

    /// Whether requests from `remoteAddress` must be refused (429) now.
    func isBlocked(_ remoteAddress: String) -> Bool {
        guard limit > 0 else { return false }
        let key = Self.host(of: remoteAddress), now = clock()
        return windows.withLock { table in
            guard let w = table[key] else { return false }
            if now &- w.startMs >= windowMs {
                table[key] = nil
                return false
            }
            return w.failures >= limit
        }
    }

    /// Seconds until `remoteAddress`'s window ends (for `Retry-After`), at least 1.
    func retryAfterSeconds(_ remoteAddress: String) -> Int {
        let key = Self.host(of: remoteAddress), now = clock()
        let left = windows.withLock { table -> UInt64 in
            guard let w = table[key], now &- w.startMs < windowMs else { return 0 }
            return windowMs - (now &- w.startMs)
        }
        return max(1, Int((left + 999) / 1000))
    }

    /// Addresses tracked now (tests, metrics).
    var trackedCount: Int { windows.withLock { $0.count } }

    private func evict(_ table: inout [String: Window], now: UInt64) {
        table = table.filter { now &- $0.value.startMs < windowMs }
        guard table.count >= capacity, let oldest = table.min(by: { $0.value.startMs < $1.value.startMs }) else { return }
        table[oldest.key] = nil
    }

    /// The IP part of `ip:port` or `[v6]:port`; anything else as it is.
    static func host(of address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        if let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon {
            return String(address[..<colon])
        }
        return address
    }
}

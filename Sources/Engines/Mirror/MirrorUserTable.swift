/// Every user's rolling state: profile, vocabulary window, last message time and profile-push
/// bookkeeping; at most `maxUsers`, the least recently active going first. A value type with no
/// locking: the engine keeps it in a `Mutex`.
public struct MirrorUserTable: Sendable {
    struct Entry: Sendable {
        var profile = MirrorProfile()
        var window: MirrorWordWindow
        var lastMessageNs: UInt64?
        var lastPushNs: UInt64?
        var used: UInt64 = 0
    }

    /// Most users kept.
    public let maxUsers: Int
    /// Words per user in the vocabulary window.
    public let windowWords: Int
    private var entries: [String: Entry] = [:]
    private var tick: UInt64 = 0
    /// Users whose profile changed since it was last pushed, waiting for their interval.
    private var dirty: Set<String> = []
    /// Profiles dropped to make room.
    public private(set) var evictions = 0

    /// An empty table.
    public init(maxUsers: Int, windowWords: Int) {
        precondition(maxUsers > 0 && windowWords > 0)
        self.maxUsers = maxUsers
        self.windowWords = windowWords
    }

    /// Users with a profile.
    public var count: Int { entries.count }
    /// Users with an update not pushed yet.
    public var pending: Int { dirty.count }

    /// Takes in one analysed message of `user`: fills in the rolling style features (`ttr`,
    /// `pace`), updates the profile, and says whether to push the profile now.
    /// - Parameters:
    ///   - messageNs: when the message was published (monotonic ns), for `pace`.
    ///   - nowNs: now (monotonic ns), for the push interval.
    ///   - intervalNs: least time between two pushes; a message sooner than that marks the
    ///     profile for `due(…)`.
    public mutating func record(_ user: String, _ analysis: inout MirrorAnalysis, messageNs: UInt64, atMs: UInt64 = 0,
                                nowNs: UInt64, alpha: Double, intervalNs: UInt64) -> (profile: MirrorProfile, pushNow: Bool) {
        tick += 1
        if entries[user] == nil {
            if entries.count >= maxUsers { evictLeastRecent() }
            entries[user] = Entry(window: MirrorWordWindow(capacity: windowWords))
        }
        var e = entries[user]!
        entries[user] = nil  // edit in place without a second copy of the window
        e.used = tick
        e.window.add(analysis.style.vocabulary)
        analysis.style.ttr = e.window.ratio
        if let last = e.lastMessageNs, messageNs >= last { analysis.style.pace = Double(messageNs - last) / 1e9 }
        e.lastMessageNs = messageNs
        e.profile.update(with: analysis, alpha: alpha, atMs: atMs)
        let pushNow = e.lastPushNs.map { nowNs &- $0 >= intervalNs } ?? true
        if pushNow {
            e.lastPushNs = nowNs
            dirty.remove(user)
        } else {
            dirty.insert(user)
        }
        let profile = e.profile
        entries[user] = e
        return (profile, pushNow)
    }

    /// The profiles marked by `record` whose interval has now passed, marked as pushed.
    public mutating func due(nowNs: UInt64, intervalNs: UInt64) -> [(user: String, profile: MirrorProfile)] {
        guard !dirty.isEmpty else { return [] }
        var out: [(user: String, profile: MirrorProfile)] = []
        for user in dirty {
            guard let e = entries[user] else { continue }
            if let last = e.lastPushNs, nowNs &- last < intervalNs { continue }
            entries[user]?.lastPushNs = nowNs
            out.append((user, e.profile))
        }
        for (user, _) in out { dirty.remove(user) }
        dirty = dirty.filter { entries[$0] != nil }
        return out.sorted { $0.user < $1.user }
    }

    /// The profile of `user`, nil when there is none.
    public func profile(_ user: String) -> MirrorProfile? { entries[user]?.profile }

    /// Users by recency, most recent first (tests).
    public var usersByRecency: [String] { entries.sorted { $0.value.used > $1.value.used }.map(\.key) }

    /// Drops the user least recently active: a linear scan, paid only when a new user arrives
    /// at a full table.
    private mutating func evictLeastRecent() {
        guard let victim = entries.min(by: { $0.value.used < $1.value.used })?.key else { return }
        entries[victim] = nil
        dirty.remove(victim)
        evictions += 1
    }
}

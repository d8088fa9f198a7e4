/// The mirroring engine's limits and weights (config `mirror_*`, see docs/engines/mirror.md).
public struct MirrorSettings: Sendable, Equatable {
    /// Weight of the newest message in the rolling profile, 0 < alpha ≤ 1. Default 0.2 (about
    /// the last ten messages matter).
    public var alpha: Double = 0.2
    /// Least time between two profile pushes to one user, in seconds; updates in between are
    /// coalesced and the latest pushed when the interval has passed. Default 0.5.
    public var profileInterval: Double = 0.5
    /// Most users with a profile; beyond it the least recently active user's profile goes.
    /// Default 10,000.
    public var maxUsers: Int = 10_000
    /// Publications waiting for analysis; beyond it new ones are dropped (and counted), so the
    /// event loops never wait. Default 1,024.
    public var queueSize: Int = 1024
    /// Words per user in the type/token-ratio window. Default 100.
    public var windowWords: Int = 100
    /// Longest text analysed, in characters; the rest is ignored. Default 4,096.
    public var maxTextChars: Int = 4096

    /// Settings; every argument defaults to the documented default.
    public init(alpha: Double = 0.2, profileInterval: Double = 0.5, maxUsers: Int = 10_000, queueSize: Int = 1024,
                windowWords: Int = 100, maxTextChars: Int = 4096) {
        self.alpha = alpha
        self.profileInterval = profileInterval
        self.maxUsers = maxUsers
        self.queueSize = queueSize
        self.windowWords = windowWords
        self.maxTextChars = maxTextChars
    }
}

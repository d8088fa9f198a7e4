import Broadcast
import Engines

/// What every protocol-v1 session of an endpoint shares, fixed at start from `HubConfig`.
/// A class: every session holds a reference, not a 136-byte copy (idle connections must stay small).
final class SessionSettings: Sendable {
    /// The node's name in welcome pushes.
    let node: String
    /// Seconds between pings, announced in the welcome push.
    let pingSeconds: Int
    /// Largest command in bytes (`too_large` beyond).
    let maxCommandBytes: Int
    /// Most topics per connection.
    let maxTopics: Int
    /// Token bucket rate and size, and the strikes before close 4429.
    let rate: Double
    let burst: Int
    let strikes: Int
    /// The namespace rules (also held by the bus; read here to refuse early, without a hop).
    let namespaces: Namespaces
    /// Checks tokens on `/ws/auth` and `/ws/admin`.
    let verifier: any TokenVerifier
    /// Time a client of an authenticated endpoint has to present a token, in ms.
    let authTimeoutMs: UInt64
    /// Where admin actions are written to the audit log (nil: a hub without a store).
    let store: Store?
    /// The clock leeway on a JWT's `exp`, in seconds: the verifier accepts it that long after,
    /// so its session lasts that long too.
    let jwtLeeway: Int64
    /// The engines `engine`, `send` and `ack` commands go to, and publications are shown to.
    let engines: EngineRegistry

    init(config: HubConfig, node: String, verifier: any TokenVerifier = RefusingTokenVerifier(), store: Store? = nil,
         engines: EngineRegistry = .none) {
        self.engines = engines
        self.verifier = verifier
        self.store = store
        authTimeoutMs = UInt64(max(0, config.authTimeout * 1000))
        jwtLeeway = Int64(max(0, config.jwtLeeway))
        self.node = node
        pingSeconds = Int(config.pingInterval.rounded())
        maxCommandBytes = config.maxCommandBytes
        maxTopics = config.maxTopics
        rate = config.rateLimit
        burst = config.rateBurst
        strikes = config.rateLimitStrikes
        namespaces = Self.withBuiltIns(config.namespaces)
    }

    /// The configured namespaces plus the built-in ones, unless configured: `user` (a user's
    /// private topics, `user.<id>`; only the server publishes there), `admin` (operators), and the
    /// engines' `mirror` and `dream`.
    static func withBuiltIns(_ configured: Namespaces) -> Namespaces {
        var n = configured
        if n.rules["user"] == nil {
            n.rules["user"] = NamespaceRules(subscribe: .authenticated, publish: .admin, historySize: 100, historyTTL: 300, presence: false)
        }
        if n.rules["admin"] == nil {
            n.rules["admin"] = NamespaceRules(subscribe: .admin, publish: .admin, historySize: 10, historyTTL: 60, presence: false)
        }
        // The engines' namespaces: only the hub publishes there. `mirror.<user>` is private to
        // that user (like `user.<id>`, see `Session.check`); `dream.<stream>` anyone may watch,
        // with history so a late watcher recovers a stream's beginning.
        if n.rules["mirror"] == nil {
            n.rules["mirror"] = NamespaceRules(subscribe: .authenticated, publish: .admin, historySize: 10, historyTTL: 300, presence: false)
        }
        if n.rules["dream"] == nil {
            n.rules["dream"] = NamespaceRules(subscribe: .anyone, publish: .admin, historySize: 1000, historyTTL: 600, presence: false)
        }
        return n
    }
}

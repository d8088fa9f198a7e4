import Broadcast

/// What every protocol-v1 session of an endpoint shares, fixed at start from `HubConfig`.
struct SessionSettings: Sendable {
    /// The node's name in welcome pushes.
    var node: String
    /// Seconds between pings, announced in the welcome push.
    var pingSeconds: Int
    /// Largest command in bytes (`too_large` beyond).
    var maxCommandBytes: Int
    /// Most topics per connection.
    var maxTopics: Int
    /// Token bucket rate and size, and the strikes before close 4429.
    var rate: Double
    var burst: Int
    var strikes: Int
    /// The namespace rules (also held by the bus; read here to refuse early, without a hop).
    var namespaces: Namespaces

    init(config: HubConfig, node: String) {
        self.node = node
        pingSeconds = Int(config.pingInterval.rounded())
        maxCommandBytes = config.maxCommandBytes
        maxTopics = config.maxTopics
        rate = config.rateLimit
        burst = config.rateBurst
        strikes = config.rateLimitStrikes
        namespaces = config.namespaces
    }
}

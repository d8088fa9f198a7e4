/// Counts from one shard (or summed over all), for the admin views and metrics.
public struct ShardStats: Sendable, Equatable {
    /// Topics with state (subscribers or history).
    public var topics: Int
    /// Subscriptions across those topics.
    public var subscriptions: Int
    /// Subscribers per topic.
    public var subscribersByTopic: [String: Int]

    /// Counts.
    public init(topics: Int = 0, subscriptions: Int = 0, subscribersByTopic: [String: Int] = [:]) {
        self.topics = topics
        self.subscriptions = subscriptions
        self.subscribersByTopic = subscribersByTopic
    }
}

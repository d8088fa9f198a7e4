/// A command on its way to a shard. Replies are closures run in the shard's isolation: they must
/// only hand the result on (post to a loop), never block.
enum BusCommand: Sendable {
    case subscribe(SubscribeRequest)
    case unsubscribe(subscriber: UInt64, topic: String)
    case publish(topic: String, data: [UInt8], from: ClientIdentity?, extra: [UInt8]?, reply: @Sendable (Result<Publication, BusError>) -> Void)
    case history(topic: String, limit: Int?, since: StreamPosition?, reply: @Sendable (Result<HistoryResult, BusError>) -> Void)
    case presence(topic: String, reply: @Sendable (Result<[ClientIdentity], BusError>) -> Void)
    case remote(Publication)
    case stats(reply: @Sendable (ShardStats) -> Void)
    case sweep
}

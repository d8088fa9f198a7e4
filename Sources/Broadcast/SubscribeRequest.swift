/// A subscription as the bus receives it.
struct SubscribeRequest: Sendable {
    let subscriber: UInt64
    let identity: ClientIdentity
    let topic: String
    let recover: StreamPosition?
    let requestID: Int?
    let sink: any BusSink
}

/// What the bus tells a sink.
public enum BusEvent: Sendable {
    /// A publication for every subscriber of its topic on this sink.
    case publication(Publication)
    /// A subscription is registered: deliver `outcome.missed` to the subscriber, then reply.
    /// It comes before any publication the subscriber must receive live.
    case subscribed(SubscribeOutcome)
    /// A join or leave, for every subscriber of the topic on this sink.
    case presence(PresenceEvent)
}

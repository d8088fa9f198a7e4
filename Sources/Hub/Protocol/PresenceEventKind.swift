/// The `event` of a presence push (PROTOCOL.md "Pushes"): a client joined or left a topic.
enum PresenceEventKind: String, Sendable {
    case join
    case leave
}

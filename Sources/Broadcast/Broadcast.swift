/// The pub/sub bus. Filled in by the bus issue; it never sees sockets or WebSocket frames.
public enum Broadcast {
    /// The module's version of its own API, for diagnostics.
    public static let apiVersion = 0
}

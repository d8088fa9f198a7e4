import WSProtocol

/// A WebSocket route's limits and behaviour, fixed when the router picks it.
///
/// A class, shared by every connection of the route: a connection holds one reference (8 bytes)
/// instead of its own copy of the limits and the name (idle connections must stay small).
final class WebSocketEndpoint: Sendable {
    /// A short name for logs and metrics (`echo`, `ws`, …).
    let name: String
    /// Largest inbound message after inflation (1009 beyond).
    let maxMessageBytes: Int
    /// Most frames per message; 0 = unlimited.
    let maxFragments: Int
    /// Most bytes queued for sending before the connection counts as a slow consumer (closed with
    /// 4408); 0 = no limit (the endpoint throttles reads instead).
    let maxOutboundBytes: Int
    /// Messages shorter than this go out uncompressed even when deflate was negotiated.
    let deflateThreshold: Int
    /// Creates the handler on the connection's loop thread.
    let makeHandler: @Sendable (HandshakeInfo) -> any ConnectionHandler

    init(name: String, maxMessageBytes: Int, maxFragments: Int, maxOutboundBytes: Int, deflateThreshold: Int,
         makeHandler: @escaping @Sendable (HandshakeInfo) -> any ConnectionHandler) {
        self.name = name
        self.maxMessageBytes = maxMessageBytes
        self.maxFragments = maxFragments
        self.maxOutboundBytes = maxOutboundBytes
        self.deflateThreshold = deflateThreshold
        self.makeHandler = makeHandler
    }
}

import WSProtocol

/// A WebSocket route's limits and behaviour, fixed when the router picks it.
struct WebSocketEndpoint: Sendable {
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
}

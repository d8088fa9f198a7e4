import WSProtocol

/// What the router decided for a request head.
enum Route {
    /// Answer with a plain HTTP response and close.
    case respond(HTTPResponse)
    /// Complete the WebSocket handshake and hand the connection to the endpoint.
    case upgrade(WebSocketHandshake.Accepted, WebSocketEndpoint, HandshakeInfo)
    /// Work that answers later (it needs the bus): run on the connection's loop, it calls the
    /// completion exactly once, from any thread.
    case deferred((EventLoop, @escaping @Sendable (HTTPResponse) -> Void) -> Void)
}

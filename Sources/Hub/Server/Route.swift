import WSProtocol

/// What the router decided for a request head.
enum Route {
    /// Answer with a plain HTTP response and close.
    case respond(HTTPResponse)
    /// Complete the WebSocket handshake and hand the connection to the endpoint.
    case upgrade(WebSocketHandshake.Accepted, WebSocketEndpoint)
}

/// What a WebSocket handler may want from the upgrade request.
struct HandshakeInfo: Sendable {
    /// The request path (`/ws`, `/ws/auth`, …).
    let path: String
    /// A token given with the handshake: `?token=` or `Authorization: Bearer`.
    let token: String?
    /// The Origin header, when a browser sent one.
    let origin: String?
    /// `host:port` of the peer.
    let remoteAddress: String
}

import WSProtocol

/// What an endpoint does with an open WebSocket connection. Called on the connection's loop
/// thread only, so implementations need no locks for per-connection state.
protocol ConnectionHandler: AnyObject {
    /// The upgrade completed (the 101 response is queued).
    func connectionOpened(_ connection: Connection)
    /// A whole text or binary message arrived.
    func connection(_ connection: Connection, received opcode: WebSocketOpcode, _ payload: [UInt8])
    /// The connection is gone (after a close handshake, an error or a reset).
    func connectionClosed(_ connection: Connection)
    /// The deadline the handler set with `Connection.setHandlerDeadline` came.
    func deadlineReached(_ connection: Connection)
}

extension ConnectionHandler {
    func connectionOpened(_ connection: Connection) {}
    func connectionClosed(_ connection: Connection) {}
    func deadlineReached(_ connection: Connection) {}
}

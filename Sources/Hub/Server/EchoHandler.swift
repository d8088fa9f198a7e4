import WSProtocol

/// `/echo`: sends every text and binary message back unchanged (the conformance target).
final class EchoHandler: ConnectionHandler {
    func connection(_ connection: Connection, received opcode: WebSocketOpcode, _ payload: [UInt8]) {
        connection.send(opcode, payload)
    }
}

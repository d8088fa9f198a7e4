extension WebSocketHandshake {
    /// A valid opening handshake: what the 101 response says and what the connection then runs
    /// with (RFC 6455 §4.2.2).
    public struct Accepted: Sendable, Equatable {
        /// The `Sec-WebSocket-Accept` value.
        public var acceptKey: String
        /// The selected subprotocol, echoed in `Sec-WebSocket-Protocol`; nil when none was selected.
        public var subprotocol: String?
        /// The negotiated permessage-deflate parameters, echoed in `Sec-WebSocket-Extensions`; nil
        /// when messages are not compressed.
        public var deflate: PerMessageDeflateParameters?
        /// The `Origin` header as sent, for the application's origin check (RFC 6455 §4.2.2 item 4,
        /// §10.2); the handshake itself does not judge it. Answer a refused origin with 403.
        public var origin: String?

        /// Creates an accepted handshake from its parts.
        public init(acceptKey: String, subprotocol: String? = nil, deflate: PerMessageDeflateParameters? = nil,
                    origin: String? = nil) {
            self.acceptKey = acceptKey
            self.subprotocol = subprotocol
            self.deflate = deflate
            self.origin = origin
        }

        /// The 101 response (RFC 6455 §4.2.2 item 5): status line, `Upgrade: websocket`,
        /// `Connection: Upgrade`, `Sec-WebSocket-Accept`, then `Sec-WebSocket-Protocol` and
        /// `Sec-WebSocket-Extensions` when negotiated, then `extraHeaders`, and a blank line.
        public func responseBytes(extraHeaders: [(String, String)] = []) -> [UInt8] {
            var headers: [(String, String)] = [
                ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptKey),
            ]
            if let subprotocol { headers.append(("Sec-WebSocket-Protocol", subprotocol)) }
            if let deflate { headers.append(("Sec-WebSocket-Extensions", deflate.responseHeaderValue)) }
            return HTTPResponse(status: .switchingProtocols, headers: headers + extraHeaders).serialize()
        }
    }
}

/// The server side of the WebSocket opening handshake (RFC 6455 §4.2): validates a parsed request
/// head and computes what the 101 response must say.
///
/// Pure: it neither reads nor writes a socket. The server parses the head with `HTTPHeadParser`,
/// calls `accept`, checks `Accepted.origin` against its policy (RFC 6455 §10.2), then writes
/// either `Accepted.responseBytes()` or `HTTPError.response`.
public enum WebSocketHandshake {
    /// The GUID appended to the client's key (RFC 6455 §1.3, §4.2.2).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` value for a client key: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2).
    /// The key is used as sent (already trimmed by the parser), not decoded.
    public static func acceptKey(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// Checks a request against RFC 6455 §4.2.1 and, if it is a valid opening handshake, picks a
    /// subprotocol and negotiates permessage-deflate.
    ///
    /// Failures, checked in this order: method not GET → 405 with `Allow: GET`; HTTP below 1.1 →
    /// 400; `Host` missing, empty or repeated → 400 (RFC 9112 §3.2); `Upgrade` without `websocket`
    /// → 426 with `Upgrade`, `Connection` and `Sec-WebSocket-Version: 13` (a plain HTTP request at
    /// a WebSocket path); `Connection` without `upgrade` → 400; `Sec-WebSocket-Version` not exactly
    /// one `13` → 426 with `Sec-WebSocket-Version: 13` (§4.2.2); `Sec-WebSocket-Key` missing,
    /// repeated or not 16 bytes of base64 → 400.
    /// - Parameters:
    ///   - subprotocols: what the server speaks; the first protocol the client offers that is in
    ///     this list is selected, compared case-sensitively (§4.2.2, §11.3.4). No match is not an
    ///     error: the connection proceeds without a subprotocol and the client decides.
    ///   - deflate: the permessage-deflate policy, or nil to never compress.
    public static func accept(_ head: HTTPRequestHead, subprotocols: [String],
                              deflate: PerMessageDeflateConfig?) -> Result<Accepted, HTTPError> {
        guard head.method == "GET" else {
            return .failure(HTTPError(status: .methodNotAllowed, message: "WebSocket needs GET",
                                      headers: [("Allow", "GET")]))
        }
        guard head.versionMajor > 1 || (head.versionMajor == 1 && head.versionMinor >= 1) else {
            return .failure(HTTPError(status: .badRequest, message: "WebSocket needs HTTP/1.1"))
        }
        let hosts = head.headerValues("Host")
        guard hosts.count == 1, !hosts[0].isEmpty else {
            return .failure(HTTPError(status: .badRequest,
                                      message: hosts.count > 1 ? "more than one Host header" : "missing Host header"))
        }
        guard head.tokens("Upgrade").contains("websocket") else {
            return .failure(HTTPError(status: .upgradeRequired, message: "this endpoint requires a WebSocket upgrade",
                                      headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                ("Sec-WebSocket-Version", "13")]))
        }
        guard head.tokens("Connection").contains("upgrade") else {
            return .failure(HTTPError(status: .badRequest, message: "Connection header must include Upgrade"))
        }
        guard head.headerValues("Sec-WebSocket-Version") == ["13"] else {
            return .failure(HTTPError(status: .upgradeRequired, message: "unsupported WebSocket version",
                                      headers: [("Sec-WebSocket-Version", "13")]))
        }
        let keys = head.headerValues("Sec-WebSocket-Key")
        guard keys.count == 1, let decoded = Base64.decode(keys[0]), decoded.count == 16 else {
            return .failure(HTTPError(status: .badRequest,
                                      message: keys.isEmpty ? "missing Sec-WebSocket-Key" : "invalid Sec-WebSocket-Key"))
        }
        let offered = head.caseSensitiveTokens("Sec-WebSocket-Protocol")
        let subprotocol = offered.first { subprotocols.contains($0) }
        let parameters = deflate.flatMap {
            PerMessageDeflateNegotiation.negotiate(offers: head.headerValues("Sec-WebSocket-Extensions"), config: $0)
        }
        return .success(Accepted(acceptKey: acceptKey(for: keys[0]), subprotocol: subprotocol,
                                 deflate: parameters, origin: head.header("Origin")))
    }
}

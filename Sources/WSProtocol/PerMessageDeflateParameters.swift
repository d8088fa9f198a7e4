/// The permessage-deflate parameters agreed for one connection (RFC 7692 §7.1), and the
/// `Sec-WebSocket-Extensions` response value that announces them.
///
/// What the compressor and decompressor must respect: the server's deflater uses at most
/// `serverMaxWindowBits` and resets after every message when `serverNoContextTakeover`; the
/// client's messages were compressed with at most `clientMaxWindowBits`, and without context
/// takeover when `clientNoContextTakeover`, so the server's inflater can size itself accordingly.
public struct PerMessageDeflateParameters: Equatable, Sendable {
    /// The server resets its compression context after each message. Always true in what the hub
    /// negotiates (RFC 7692 §7.1.1.1 lets a server add it unasked), so one compressed frame can be
    /// sent to many subscribers.
    public var serverNoContextTakeover: Bool
    /// The client resets its compression context after each message (RFC 7692 §7.1.1.2).
    public var clientNoContextTakeover: Bool
    /// The largest window the server's deflater may use, 8...15 (RFC 7692 §7.1.2.1).
    public var serverMaxWindowBits: Int
    /// The largest window the client will compress with, 8...15; 15 when not limited (RFC 7692 §7.1.2.2).
    public var clientMaxWindowBits: Int
    /// Whether the response carries `server_max_window_bits`: only when the offer had it
    /// (RFC 7692 §7.1.2.1 forbids it otherwise).
    public var announcesServerMaxWindowBits: Bool
    /// Whether the response carries `client_max_window_bits`: only when the offer had it
    /// (RFC 7692 §7.1.2.2 forbids it otherwise).
    public var announcesClientMaxWindowBits: Bool

    /// Creates parameters; the announce flags default to "announce when below 15".
    public init(serverNoContextTakeover: Bool = true, clientNoContextTakeover: Bool = false,
                serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15,
                announcesServerMaxWindowBits: Bool? = nil, announcesClientMaxWindowBits: Bool? = nil) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.announcesServerMaxWindowBits = announcesServerMaxWindowBits ?? (serverMaxWindowBits < 15)
        self.announcesClientMaxWindowBits = announcesClientMaxWindowBits ?? (clientMaxWindowBits < 15)
    }

    /// The `Sec-WebSocket-Extensions` value of the response (RFC 7692 §5, §7.1), e.g.
    /// `permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10`.
    public var responseHeaderValue: String {
        var s = "permessage-deflate"
        if serverNoContextTakeover { s += "; server_no_context_takeover" }
        if clientNoContextTakeover { s += "; client_no_context_takeover" }
        if announcesServerMaxWindowBits { s += "; server_max_window_bits=\(serverMaxWindowBits)" }
        if announcesClientMaxWindowBits { s += "; client_max_window_bits=\(clientMaxWindowBits)" }
        return s
    }
}

/// The server's permessage-deflate policy (RFC 7692 §7), the input to
/// `PerMessageDeflateNegotiation.negotiate`.
///
/// Window sizes are bits of the LZ77 window (RFC 7692 §7.1.2); values outside 8...15 are clamped
/// when negotiating.
public struct PerMessageDeflateConfig: Sendable, Equatable {
    /// Whether to accept permessage-deflate at all; false declines every offer.
    public var enabled: Bool
    /// The window the server asks the client to use, applied when the client's offer carries
    /// `client_max_window_bits` (RFC 7692 §7.1.2.2); nil leaves the client's window at its maximum.
    /// Smaller windows save the server's inflate memory per connection.
    public var clientMaxWindowBits: Int?
    /// The largest window the server's deflater uses (RFC 7692 §7.1.2.1); the client may ask for
    /// less. Note that zlib's deflate cannot use 8 (it silently uses 9), so the deflater may need
    /// to handle an effective value of 8 specially.
    public var serverMaxWindowBits: Int

    /// Creates a policy; the defaults accept permessage-deflate with 15-bit windows.
    public init(enabled: Bool = true, clientMaxWindowBits: Int? = nil, serverMaxWindowBits: Int = 15) {
        self.enabled = enabled
        self.clientMaxWindowBits = clientMaxWindowBits
        self.serverMaxWindowBits = serverMaxWindowBits
    }
}

/// Why an upstream LLM stream failed; each is a failure for the `upstream_llm` breaker except
/// `cancelled` (the stream was stopped).
public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host name did not resolve.
    case resolve(String)
    /// No TCP connection (refused, unreachable).
    case connect(String)
    /// Nothing arrived for this many seconds.
    case timedOut(Double)
    /// A status other than 200.
    case status(Int)
    /// The response was not HTTP/1.1 or not an event stream of chat-completion chunks.
    case protocolError(String)
    /// The server sent an `error` object.
    case upstream(String)
    /// A socket error while sending or receiving.
    case io(String)
    /// TLS failed: the handshake, the peer's certificate, or a record.
    case tls(String)
    /// The stream was stopped by the hub.
    case cancelled

    public var description: String {
        switch self {
        case .resolve(let why): return "upstream host did not resolve: \(why)"
        case .connect(let why): return "upstream connection failed: \(why)"
        case .timedOut(let s): return "upstream sent nothing for \(s) s"
        case .status(let code): return "upstream answered HTTP \(code)"
        case .protocolError(let why): return "upstream protocol error: \(why)"
        case .upstream(let message): return "upstream error: \(message)"
        case .io(let why): return "upstream socket error: \(why)"
        case .tls(let why): return "upstream TLS error: \(why)"
        case .cancelled: return "cancelled"
        }
    }
}

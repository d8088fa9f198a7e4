/// The upstream LLM's address, from `dream_upstream_url`: an `http://` URL of an
/// OpenAI-compatible server. `http://host:port` and `http://host:port/v1` mean its
/// `/v1/chat/completions`; a path ending in `/chat/completions` is used as it is.
///
/// `https://` is refused with a clear message: the hub's client speaks plain HTTP/1.1 over TCP
/// (put a local TLS-terminating proxy in front of a remote service).
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    /// Why a URL was refused (shown in the config error).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case httpsUnsupported
        case notHTTP(String)
        case badHost(String)
        case badPort(String)
        public var description: String {
            switch self {
            case .httpsUnsupported:
                return "an http:// URL (https is not supported: the upstream client speaks plain HTTP/1.1; "
                    + "use a local TLS proxy)"
            case .notHTTP(let s): return "an http:// URL, not \"\(s)\""
            case .badHost(let s): return "an http:// URL with a host, not \"\(s)\""
            case .badPort(let s): return "an http:// URL with a port 1...65535, not \"\(s)\""
            }
        }
    }

    /// Host name or address (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// The request target, e.g. `/v1/chat/completions`.
    public var path: String

    /// Parses `text` (surrounding spaces ignored).
    public init(_ text: String) throws(Failure) {
        let t = text.trimmingSpaces
        let lower = t.lowercased()
        if lower.hasPrefix("https://") { throw .httpsUnsupported }
        guard lower.hasPrefix("http://") else { throw .notHTTP(t) }
        var rest = Substring(t.dropFirst("http://".count))
        var path = "/"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<q]) }
        if rest.contains("@") { throw .badHost(t) }  // credentials belong in dream_upstream_key
        var host = String(rest)
        var port = 80
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badHost(t) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw .badPort(t) }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { throw .badPort(t) }
            port = p
        }
        guard !host.isEmpty else { throw .badHost(t) }
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/chat/completions") {
            // as given
        } else if path.hasSuffix("/v1") {
            path += "/chat/completions"
        } else {
            path = (path == "/" ? "" : path) + "/v1/chat/completions"
        }
        self.host = host
        self.port = port
        self.path = path
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }

    public var description: String { "http://\(hostHeader)\(path)" }
}

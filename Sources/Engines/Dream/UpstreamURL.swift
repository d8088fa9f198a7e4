/// The upstream LLM's address, from `dream_upstream_url`: an `http://` or `https://` URL of an
/// OpenAI-compatible server. `http://host:port` and `http://host:port/v1` mean its
/// `/v1/chat/completions`; a path ending in `/chat/completions` is used as it is. Credentials in
/// the URL are refused (the key has its own, secret, option).
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    /// Why a URL was refused (shown in the config error).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notHTTP(String)
        case badHost(String)
        case badPort(String)
        public var description: String {
            switch self {
            case .notHTTP(let s): return "an http:// or https:// URL, not \"\(s)\""
            case .badHost(let s): return "an http(s):// URL with a host (and no user:password@), not \"\(s)\""
            case .badPort(let s): return "an http(s):// URL with a port 1...65535, not \"\(s)\""
            }
        }
    }

    /// `https://`: TLS, the peer's certificate verified.
    public var isTLS: Bool
    /// Host name or address (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// The request target, e.g. `/v1/chat/completions`.
    public var path: String

    /// Parses `text` (surrounding spaces ignored).
    public init(_ text: String) throws(Failure) {
        let t = text.trimmingSpaces
        let lower = t.lowercased()
        let isTLS = lower.hasPrefix("https://")
        guard isTLS || lower.hasPrefix("http://") else { throw .notHTTP(t) }
        var rest = Substring(t.dropFirst(isTLS ? "https://".count : "http://".count))
        var path = "/"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<q]) }
        if rest.contains("@") { throw .badHost(t) }  // credentials belong in dream_upstream_key
        var host = String(rest)
        var port = isTLS ? 443 : 80
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
        self.isTLS = isTLS
        self.host = host
        self.port = port
        self.path = path
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? h : "\(h):\(port)"
    }

    public var description: String { (isTLS ? "https://" : "http://") + hostHeader + path }
}

import WSProtocol

/// Which browser origins may open `/ws`, `/ws/auth` and `/ws/admin` (config `allowed_origins`;
/// RFC 6455 §10.2): a page on another site must not ride on a user's network position or
/// cookies. Checked before the upgrade; a refused origin gets HTTP 403.
///
/// - No `Origin` header: allowed (not a browser; a browser always sends one on a WebSocket).
/// - Empty list: same host only: the Origin's `host[:port]` must equal the `Host` header (a
///   scheme's default port may be written or left out on either side).
/// - Otherwise an entry allows a full origin (`https://app.example.com`, compared without case),
///   a bare `host[:port]` (any scheme), or everything (`*`).
struct OriginPolicy: Sendable {
    /// The configured entries, lowercased, trailing `/` removed.
    let allowed: [String]

    init(allowed: [String]) {
        self.allowed = allowed.map { Self.normalize($0) }.filter { !$0.isEmpty }
    }

    /// Whether a request with these headers may upgrade.
    func allows(origin: String?, host: String?) -> Bool {
        guard let raw = origin else { return true }
        let origin = Self.normalize(raw)
        // `null` (sandboxed frames, file: pages) has no host to compare: refused unless listed.
        guard let (scheme, authority) = Self.split(origin) else { return allowed.contains(origin) || allowed.contains("*") }
        if allowed.isEmpty {
            guard let host else { return false }
            return Self.sameAuthority(authority, Self.normalize(host), scheme: scheme)
        }
        for entry in allowed {
            if entry == "*" { return true }
            if let (s, a) = Self.split(entry) {
                if s == scheme && Self.sameAuthority(a, authority, scheme: scheme) { return true }
            } else if Self.sameAuthority(entry, authority, scheme: scheme) {
                return true
            }
        }
        return false
    }

    /// The 403 for a refused origin, or nil when `head` may go on.
    func refusal(_ head: HTTPRequestHead) -> HTTPResponse? {
        allows(origin: head.header("Origin"), host: head.header("Host"))
            ? nil : .plain(.forbidden, "origin not allowed")
    }

    private static func normalize(_ s: String) -> String {
        var t = s.trimmingASCIIWhitespace().lowercased()
        while t.hasSuffix("/") { t.removeLast() }
        return t
    }

    /// `scheme://authority` split in two; nil when there is no `://`.
    private static func split(_ origin: String) -> (String, String)? {
        guard let r = origin.range(of: "://") else { return nil }
        let authority = origin[r.upperBound...].prefix { $0 != "/" }
        return (String(origin[..<r.lowerBound]), String(authority))
    }

    /// Equal authorities, where `host` and `host:<default port of scheme>` count as the same.
    private static func sameAuthority(_ a: String, _ b: String, scheme: String) -> Bool {
        if a == b { return true }
        let port: String
        switch scheme {
        case "http", "ws": port = "80"
        case "https", "wss": port = "443"
        default: return false
        }
        return a + ":" + port == b || a == b + ":" + port
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        var lo = 0, hi = bytes.count
        while lo < hi && (bytes[lo] == 32 || bytes[lo] == 9) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 32 || bytes[hi - 1] == 9) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A parsed HTTP/1.x request head (RFC 9112 §3, §5): request line and header fields, in order.
///
/// Header lookups are case-insensitive (RFC 9110 §5.1); list-valued fields such as `Connection`,
/// `Upgrade` and `Sec-WebSocket-Protocol` can be read across all occurrences (RFC 9110 §5.3), which
/// is what the opening handshake needs (RFC 6455 §4.2.1).
public struct HTTPRequestHead: Sendable, Equatable, CustomStringConvertible {
    /// The method token, case-sensitive (RFC 9110 §9.1), e.g. `GET`.
    public var method: String
    /// The raw request-target (RFC 9112 §3.2), e.g. `/ws?topic=a`.
    public var target: String
    /// The target before the first `?`.
    public var path: String
    /// The target after the first `?`, or nil when there is no `?`.
    public var query: String?
    /// The major HTTP version (1 for everything the parser accepts).
    public var versionMajor: Int
    /// The minor HTTP version (0 or 1 in practice).
    public var versionMinor: Int
    /// Header fields in arrival order, names as sent, values with surrounding OWS trimmed.
    public var headers: [(name: String, value: String)]

    /// Creates a head; `path` and `query` are derived from `target`.
    public init(method: String, target: String, versionMajor: Int = 1, versionMinor: Int = 1,
                headers: [(name: String, value: String)] = []) {
        self.method = method
        self.target = target
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = target
            query = nil
        }
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.headers = headers
    }

    /// The first value of the header `name` (case-insensitive), or nil when absent.
    public func header(_ name: String) -> String? {
        headers.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every value of the header `name` (case-insensitive), in order; a field may legally be split
    /// over several lines (RFC 9110 §5.3).
    public func headerValues(_ name: String) -> [String] {
        headers.compactMap { ASCII.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    /// All elements of the comma-separated list field `name` over every occurrence, trimmed,
    /// ASCII-lowercased, empty ones dropped (RFC 9110 §5.6.1); for case-insensitive tokens such as
    /// `Connection` and `Upgrade` (RFC 6455 §4.2.1).
    public func tokens(_ name: String) -> [String] {
        ASCII.listElements(headerValues(name)).map { ASCII.lowercased(String($0)) }
    }

    /// Like `tokens` but keeps case, for case-sensitive lists such as `Sec-WebSocket-Protocol`
    /// (RFC 6455 §4.1, §11.3.4).
    func caseSensitiveTokens(_ name: String) -> [String] {
        ASCII.listElements(headerValues(name)).map { String($0) }
    }

    /// The first query parameter called `name` (compared after decoding), percent-decoded with `+`
    /// as space (form encoding); `""` for a bare `name`, nil when absent or there is no query.
    /// Malformed `%` escapes are kept literally rather than failing the request.
    public func queryParameter(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: ASCII.equals)
            let rawName = eq.map { pair[..<$0] } ?? pair[...]
            guard Self.formDecode(rawName) == name else { continue }
            guard let eq else { return "" }
            return Self.formDecode(pair[pair.index(after: eq)...])
        }
        return nil
    }

    private static func formDecode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(ASCII.space)
            } else if b == UInt8(ascii: "%"),
                      let j = bytes.index(i, offsetBy: 2, limitedBy: bytes.endIndex), j < bytes.endIndex,
                      let hi = hexValue(bytes[bytes.index(after: i)]), let lo = hexValue(bytes[j]) {
                out.append(hi << 4 | lo)
                i = j
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// Equal when every field, including header order and name spelling, is equal; written by hand
    /// because tuples are not `Equatable`.
    public static func == (lhs: HTTPRequestHead, rhs: HTTPRequestHead) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.path == rhs.path
            && lhs.query == rhs.query && lhs.versionMajor == rhs.versionMajor
            && lhs.versionMinor == rhs.versionMinor
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// `"METHOD path HTTP/x.y"` plus the header count, for logs: neither the query (`?token=…`)
    /// nor header values (`Authorization`), which may hold tokens.
    public var description: String {
        "\(method) \(path)\(query == nil ? "" : "?…") HTTP/\(versionMajor).\(versionMinor) (\(headers.count) headers)"
    }
}

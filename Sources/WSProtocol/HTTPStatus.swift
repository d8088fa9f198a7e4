/// An HTTP status code with its reason phrase (RFC 9110 §15), as written on a response's status line.
///
/// A struct rather than an enum so any code stays representable; the statics are the ones the hub
/// sends during the opening handshake (RFC 6455 §4.2.2) and from its small HTTP endpoints.
public struct HTTPStatus: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The three-digit status code.
    public var code: Int
    /// The reason phrase; informational only (RFC 9112 §4), clients must not depend on it.
    public var reason: String

    /// Creates a status from a code and reason phrase.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 101: the server agrees to switch to WebSocket (RFC 6455 §4.2.2, RFC 9110 §15.2.2).
    public static let switchingProtocols = HTTPStatus(code: 101, reason: "Switching Protocols")
    /// 200: success, for plain HTTP endpoints such as health checks (RFC 9110 §15.3.1).
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    /// 400: the request or handshake is malformed (RFC 9110 §15.5.1, RFC 6455 §4.2.1).
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    /// 401: credentials are missing or invalid (RFC 9110 §15.5.2).
    public static let unauthorized = HTTPStatus(code: 401, reason: "Unauthorized")
    /// 403: the request is understood but refused, e.g. a disallowed Origin (RFC 6455 §4.2.2, RFC 9110 §15.5.4).
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    /// 404: no endpoint at this path (RFC 9110 §15.5.5).
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    /// 405: the method is not GET; sent with `Allow` (RFC 9110 §15.5.6, RFC 6455 §4.1).
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    /// 426: a plain request or unsupported WebSocket version at a WebSocket path (RFC 9110 §15.5.22, RFC 6455 §4.2.2).
    public static let upgradeRequired = HTTPStatus(code: 426, reason: "Upgrade Required")
    /// 429: the client is being rate limited (RFC 6585 §4).
    public static let tooManyRequests = HTTPStatus(code: 429, reason: "Too Many Requests")
    /// 431: the request head exceeds the configured limits (RFC 6585 §5).
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    /// 500: an unexpected server-side failure (RFC 9110 §15.6.1).
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    /// 503: the server is overloaded or shutting down (RFC 9110 §15.6.4).
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    /// 505: the request's major HTTP version is not 1 (RFC 9110 §15.6.6).
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")

    /// `"<code> <reason>"`, as on the status line.
    public var description: String { "\(code) \(reason)" }
}

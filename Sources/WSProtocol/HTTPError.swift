/// A rejected request: the status to answer with, a short human message, and any headers the
/// rejection must carry (e.g. `Sec-WebSocket-Version: 13` with 426, RFC 6455 §4.2.2; `Allow: GET`
/// with 405, RFC 9110 §15.5.6).
///
/// The head parser and the handshake both fail with this one type so the server has a single way
/// to turn a failure into bytes: `error.response.serialize()`.
public struct HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A short, human-readable reason; sent as the plain-text body, so never put secrets in it.
    public var message: String
    /// Extra response headers the rejection requires, in order.
    public var headers: [(String, String)]

    /// Creates an error with a status, a short message and optional extra response headers.
    public init(status: HTTPStatus, message: String, headers: [(String, String)] = []) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The plain-text rejection (`Connection: close`) to send before closing the connection.
    public var response: HTTPResponse {
        HTTPResponse.plain(status, message, headers: headers)
    }

    /// Equal when status, message and headers (in order) are equal; written by hand because tuples
    /// are not `Equatable`.
    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message
            && lhs.headers.elementsEqual(rhs.headers) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// `"<code> <reason>: <message>"`, for logs.
    public var description: String { "\(status): \(message)" }
}

/// An HTTP/1.1 response the hub writes itself: the 101 of the opening handshake (RFC 6455 §4.2.2),
/// rejections, and small plain or JSON endpoints.
///
/// Kept minimal on purpose: a status, ordered headers and a body already in bytes, serialized in one
/// pass so the server can write it with a single call.
public struct HTTPResponse: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields in the order they are written.
    public var headers: [(String, String)]
    /// The body; empty for a 101.
    public var body: [UInt8]

    /// Creates a response from its parts.
    public init(status: HTTPStatus, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The wire bytes: status line, headers in order, `Content-Length` (unless the status is 101 or
    /// a `Content-Length` header is already present), a blank line, then the body (RFC 9112 §4, §6.3).
    ///
    /// CR and LF inside header names or values are replaced with spaces so a value that came from
    /// a client can never split the response (RFC 9110 §5.5).
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 32 + body.count)
        func append(_ s: String) { out.append(contentsOf: s.utf8) }
        func appendField(_ s: String) {
            for b in s.utf8 { out.append(b == ASCII.cr || b == ASCII.lf ? ASCII.space : b) }
        }
        append("HTTP/1.1 \(status.code) ")
        appendField(status.reason)
        append("\r\n")
        var hasContentLength = false
        for (name, value) in headers {
            if ASCII.equalsIgnoringCase(name, "Content-Length") { hasContentLength = true }
            appendField(name)
            append(": ")
            appendField(value)
            append("\r\n")
        }
        if status.code != 101 && !hasContentLength {
            append("Content-Length: \(body.count)\r\n")
        }
        append("\r\n")
        out.append(contentsOf: body)
        return out
    }

    /// A plain-text response that closes the connection: `Content-Type: text/plain; charset=utf-8`,
    /// `Connection: close`, then `headers`; the body is `text` plus a newline.
    ///
    /// Used for every handshake rejection, after which the server closes (RFC 6455 §4.2.2).
    public static func plain(_ status: HTTPStatus, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8"), connectionClose(merging: headers)]
                + headers.filter { $0.0.lowercased() != "connection" },
            body: Array(text.utf8) + [ASCII.lf]
        )
    }

    /// A JSON response: `Content-Type: application/json`, then `headers`; `body` must already be
    /// encoded JSON (the module has no encoder, to stay Foundation-free).
    public static func json(_ status: HTTPStatus, _ body: [UInt8], headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// `Connection: close`, keeping any other connection tokens the caller gave (a 426 also says
    /// `Upgrade`), so the answer has one Connection field.
    static func connectionClose(merging headers: [(String, String)]) -> (String, String) {
        let others = headers.filter { $0.0.lowercased() == "connection" }.map(\.1)
        return ("Connection", (others + ["close"]).joined(separator: ", "))
    }
}

import WSProtocol

extension HTTPResponse {
    /// The answer to a HEAD request: the same status and headers, with the `Content-Length` the
    /// GET would have, and no body (RFC 9110 §9.3.2).
    var headOnly: HTTPResponse {
        HTTPResponse(status: status, headers: headers + [("Content-Length", String(body.count))])
    }
}

import Testing
@testable import WSProtocol

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Test func serializeByteForByte() {
    let r = HTTPResponse(status: .ok, headers: [("X-A", "1"), ("X-B", "two words")], body: Array("hi".utf8))
    #expect(r.serialize() == Array("HTTP/1.1 200 OK\r\nX-A: 1\r\nX-B: two words\r\nContent-Length: 2\r\n\r\nhi".utf8))
}

@Test func serializeEmptyBodyStillHasContentLength() {
    #expect(text(HTTPResponse(status: .notFound).serialize()) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
}

@Test func serializeSwitchingProtocolsHasNoContentLength() {
    let r = HTTPResponse(status: .switchingProtocols, headers: [("Upgrade", "websocket")])
    #expect(text(r.serialize()) == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
}

@Test func serializeKeepsExplicitContentLength() {
    let r = HTTPResponse(status: .ok, headers: [("content-length", "0")])
    #expect(text(r.serialize()) == "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
}

@Test func serializeNeutralisesCRLFInHeaders() {
    let r = HTTPResponse(status: .ok, headers: [("X-Evil", "a\r\nSet-Cookie: x")])
    #expect(text(r.serialize()) == "HTTP/1.1 200 OK\r\nX-Evil: a  Set-Cookie: x\r\nContent-Length: 0\r\n\r\n")
}

@Test func plainResponse() {
    let r = HTTPResponse.plain(.tooManyRequests, "slow down", headers: [("Retry-After", "5")])
    #expect(text(r.serialize()) == """
        HTTP/1.1 429 Too Many Requests\r
        Content-Type: text/plain; charset=utf-8\r
        Connection: close\r
        Retry-After: 5\r
        Content-Length: 10\r
        \r
        slow down\n
        """)
}

@Test func jsonResponse() {
    let r = HTTPResponse.json(.ok, Array(#"{"ok":true}"#.utf8))
    #expect(text(r.serialize()) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
}

@Test func errorResponseCarriesHeaders() {
    let e = HTTPError(status: .methodNotAllowed, message: "WebSocket needs GET", headers: [("Allow", "GET")])
    #expect(text(e.response.serialize()) == """
        HTTP/1.1 405 Method Not Allowed\r
        Content-Type: text/plain; charset=utf-8\r
        Connection: close\r
        Allow: GET\r
        Content-Length: 20\r
        \r
        WebSocket needs GET\n
        """)
    #expect(e == HTTPError(status: .methodNotAllowed, message: "WebSocket needs GET", headers: [("Allow", "GET")]))
    #expect(e != HTTPError(status: .methodNotAllowed, message: "WebSocket needs GET"))
}

@Test func statusCodes() {
    let all: [(HTTPStatus, Int)] = [
        (.switchingProtocols, 101), (.ok, 200), (.badRequest, 400), (.unauthorized, 401), (.forbidden, 403),
        (.notFound, 404), (.methodNotAllowed, 405), (.upgradeRequired, 426), (.tooManyRequests, 429),
        (.requestHeaderFieldsTooLarge, 431), (.internalServerError, 500), (.serviceUnavailable, 503),
        (.httpVersionNotSupported, 505),
    ]
    for (status, code) in all { #expect(status.code == code && !status.reason.isEmpty) }
}

@Test func upgradeRequiredHasOneConnectionField() {
    let r = HTTPResponse.plain(.upgradeRequired, "upgrade", headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
    #expect(text(r.serialize()) == """
        HTTP/1.1 426 Upgrade Required\r
        Content-Type: text/plain; charset=utf-8\r
        Connection: Upgrade, close\r
        Upgrade: websocket\r
        Content-Length: 8\r
        \r
        upgrade\n
        """)
}

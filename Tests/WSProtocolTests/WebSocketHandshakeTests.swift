import Testing
@testable import WSProtocol

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

private let validHeaders: [(name: String, value: String)] = [
    ("Host", "server.example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Origin", "http://example.com"),
    ("Sec-WebSocket-Protocol", "chat, superchat"), ("Sec-WebSocket-Version", "13"),
]

private func request(method: String = "GET", minor: Int = 1, replacing name: String? = nil,
                     with values: [String] = [], adding extra: [(name: String, value: String)] = []) -> HTTPRequestHead {
    var headers = validHeaders
    if let name {
        headers.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
        headers += values.map { (name, $0) }
    }
    return HTTPRequestHead(method: method, target: "/chat", versionMinor: minor, headers: headers + extra)
}

private func accept(_ head: HTTPRequestHead, subprotocols: [String] = ["chat"],
                    deflate: PerMessageDeflateConfig? = nil) -> Result<WebSocketHandshake.Accepted, HTTPError> {
    WebSocketHandshake.accept(head, subprotocols: subprotocols, deflate: deflate)
}

private func error(_ result: Result<WebSocketHandshake.Accepted, HTTPError>) -> HTTPError? {
    if case .failure(let e) = result { return e }
    return nil
}

@Test func rfcAcceptKey() {
    #expect(WebSocketHandshake.acceptKey(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
}

@Test func rfcExampleAccepted() throws {
    let accepted = try accept(request()).get()
    #expect(accepted == WebSocketHandshake.Accepted(
        acceptKey: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", subprotocol: "chat", deflate: nil, origin: "http://example.com"))
    #expect(text(accepted.responseBytes()) == """
        HTTP/1.1 101 Switching Protocols\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
        Sec-WebSocket-Protocol: chat\r
        \r

        """)
}

@Test func fullResponseWithDeflateAndExtraHeaders() throws {
    let head = request(adding: [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")])
    let accepted = try accept(head, subprotocols: [], deflate: PerMessageDeflateConfig(clientMaxWindowBits: 12)).get()
    #expect(accepted.subprotocol == nil)
    #expect(text(accepted.responseBytes(extraHeaders: [("X-Hub-Node", "n1")])) == """
        HTTP/1.1 101 Switching Protocols\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
        Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=12\r
        X-Hub-Node: n1\r
        \r

        """)
}

@Test func parsedRequestIsAccepted() throws {
    var parser = HTTPHeadParser()
    guard case .complete(let head, _) = parser.feed(Array(rfcRequest.utf8)) else {
        Issue.record("did not parse"); return
    }
    #expect(try accept(head).get().acceptKey == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
}

@Test func lenientTokenMatching() throws {
    let head = request(replacing: "Connection", with: ["keep-alive, UPGRADE"],
                       adding: [("upgrade", "h2c"), ("UPGRADE", "WebSocket")])
    _ = try accept(head).get()
}

struct Rejection: Sendable, CustomTestStringConvertible {
    let name: String
    let head: HTTPRequestHead
    let status: Int
    let headers: [String]
    var testDescription: String { name }
}

private let upgradeHeaders = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"]

let rejections: [Rejection] = [
    Rejection(name: "POST", head: request(method: "POST"), status: 405, headers: ["Allow: GET"]),
    Rejection(name: "lowercase get", head: request(method: "get"), status: 405, headers: ["Allow: GET"]),
    Rejection(name: "HTTP/1.0", head: request(minor: 0), status: 400, headers: []),
    Rejection(name: "no Host", head: request(replacing: "Host"), status: 400, headers: []),
    Rejection(name: "empty Host", head: request(replacing: "Host", with: [""]), status: 400, headers: []),
    Rejection(name: "two Hosts", head: request(replacing: "Host", with: ["a", "b"]), status: 400, headers: []),
    Rejection(name: "no Upgrade", head: request(replacing: "Upgrade"), status: 426, headers: upgradeHeaders),
    Rejection(name: "Upgrade h2c", head: request(replacing: "Upgrade", with: ["h2c"]), status: 426, headers: upgradeHeaders),
    Rejection(name: "plain GET", head: HTTPRequestHead(method: "GET", target: "/chat", headers: [("Host", "x")]),
              status: 426, headers: upgradeHeaders),
    Rejection(name: "no Connection", head: request(replacing: "Connection"), status: 400, headers: []),
    Rejection(name: "Connection keep-alive", head: request(replacing: "Connection", with: ["keep-alive"]),
              status: 400, headers: []),
    Rejection(name: "no version", head: request(replacing: "Sec-WebSocket-Version"), status: 426,
              headers: ["Sec-WebSocket-Version: 13"]),
    Rejection(name: "version 8", head: request(replacing: "Sec-WebSocket-Version", with: ["8"]), status: 426,
              headers: ["Sec-WebSocket-Version: 13"]),
    Rejection(name: "two versions", head: request(replacing: "Sec-WebSocket-Version", with: ["13", "13"]), status: 426,
              headers: ["Sec-WebSocket-Version: 13"]),
    Rejection(name: "no key", head: request(replacing: "Sec-WebSocket-Key"), status: 400, headers: []),
    Rejection(name: "two keys", head: request(replacing: "Sec-WebSocket-Key",
                                              with: ["dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ=="]),
              status: 400, headers: []),
    Rejection(name: "key not base64", head: request(replacing: "Sec-WebSocket-Key", with: ["not base64!!"]),
              status: 400, headers: []),
    Rejection(name: "key 15 bytes", head: request(replacing: "Sec-WebSocket-Key", with: [Base64.encode(Array(repeating: 1, count: 15))]),
              status: 400, headers: []),
    Rejection(name: "key 17 bytes", head: request(replacing: "Sec-WebSocket-Key", with: [Base64.encode(Array(repeating: 1, count: 17))]),
              status: 400, headers: []),
    Rejection(name: "key unpadded", head: request(replacing: "Sec-WebSocket-Key", with: ["dGhlIHNhbXBsZSBub25jZQ"]),
              status: 400, headers: []),
]

@Test(arguments: rejections)
func handshakeRejection(rejection: Rejection) {
    guard let e = error(accept(rejection.head)) else { Issue.record("accepted"); return }
    #expect(e.status.code == rejection.status, "\(e)")
    #expect(e.headers.map { "\($0.0): \($0.1)" } == rejection.headers)
    #expect(!e.message.isEmpty)
    let response = text(e.response.serialize())
    #expect(response.hasPrefix("HTTP/1.1 \(rejection.status) "))
    for h in rejection.headers where !h.hasPrefix("Connection:") { #expect(response.contains(h + "\r\n")) }
    // One Connection field: the rejection's own tokens (a 426 says Upgrade) plus close.
    let connection = rejection.headers.filter { $0.hasPrefix("Connection: ") }.map { String($0.dropFirst(12)) } + ["close"]
    #expect(response.contains("Connection: " + connection.joined(separator: ", ") + "\r\n"))
}

@Test func http10Message() {
    #expect(error(accept(request(minor: 0)))?.message == "WebSocket needs HTTP/1.1")
}

@Test(arguments: [
    (["chat"], "chat"),
    (["superchat", "chat"], "chat"),      // the client's order wins
    (["superchat"], "superchat"),
    (["Chat"], nil),                      // case-sensitive (RFC 6455 §11.3.4)
    (["mqtt"], nil),                      // only unknown ones offered: no subprotocol, still accepted
    ([], nil),
] as [([String], String?)])
func subprotocolSelection(supported: [String], selected: String?) throws {
    #expect(try accept(request(), subprotocols: supported).get().subprotocol == selected)
}

@Test func subprotocolsAcrossHeaderLines() throws {
    let head = request(replacing: "Sec-WebSocket-Protocol", with: ["a, ", " b ,c"])
    #expect(try accept(head, subprotocols: ["c", "b"]).get().subprotocol == "b")
    #expect(try accept(request(replacing: "Sec-WebSocket-Protocol"), subprotocols: ["chat"]).get().subprotocol == nil)
}

@Test func originIsExposedNotJudged() throws {
    #expect(try accept(request(replacing: "Origin")).get().origin == nil)
    #expect(try accept(request(replacing: "Origin", with: ["https://evil.example"])).get().origin == "https://evil.example")
}

@Test func deflateNegotiatedOnlyWhenConfigured() throws {
    let head = request(adding: [("Sec-WebSocket-Extensions", "permessage-deflate")])
    #expect(try accept(head, deflate: nil).get().deflate == nil)
    #expect(try accept(head, deflate: PerMessageDeflateConfig(enabled: false)).get().deflate == nil)
    #expect(try accept(head, deflate: PerMessageDeflateConfig()).get().deflate == PerMessageDeflateParameters())
    #expect(try accept(request(), deflate: PerMessageDeflateConfig()).get().deflate == nil)
}

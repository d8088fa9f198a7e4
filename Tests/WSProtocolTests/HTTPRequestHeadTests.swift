import Testing
@testable import WSProtocol

private let head = HTTPRequestHead(
    method: "GET", target: "/ws/room?topic=a%20b&x=1+2&empty=&bare&topic=second&bad=%zz%4&%74opic2=y&u=%C3%A9",
    headers: [
        ("Host", "h"), ("Connection", "keep-alive, Upgrade"), ("connection", " , ,UPGRADE2 "),
        ("Sec-WebSocket-Protocol", "Chat, v2.json"), ("sec-websocket-protocol", "mqtt"),
    ])

@Test func pathAndQuery() {
    #expect(head.path == "/ws/room")
    #expect(head.query?.hasPrefix("topic=") == true)
    let noQuery = HTTPRequestHead(method: "GET", target: "/x")
    #expect(noQuery.path == "/x" && noQuery.query == nil && noQuery.queryParameter("a") == nil)
    let emptyQuery = HTTPRequestHead(method: "GET", target: "/x?")
    #expect(emptyQuery.path == "/x" && emptyQuery.query == "")
}

@Test func headerLookupIsCaseInsensitive() {
    #expect(head.header("HOST") == "h")
    #expect(head.header("connection") == "keep-alive, Upgrade")
    #expect(head.headerValues("CONNECTION") == ["keep-alive, Upgrade", " , ,UPGRADE2 "])
    #expect(head.header("missing") == nil)
    #expect(head.headerValues("missing") == [])
}

@Test func tokensSplitTrimLowercaseAndDropEmpty() {
    #expect(head.tokens("Connection") == ["keep-alive", "upgrade", "upgrade2"])
    #expect(head.tokens("Sec-WebSocket-Protocol") == ["chat", "v2.json", "mqtt"])
    #expect(head.caseSensitiveTokens("Sec-WebSocket-Protocol") == ["Chat", "v2.json", "mqtt"])
    #expect(head.tokens("missing") == [])
}

@Test(arguments: [
    ("topic", "a b"), ("x", "1 2"), ("empty", ""), ("bare", ""), ("bad", "%zz%4"),
    ("topic2", "y"), ("u", "é"),
])
func queryParameterDecoding(name: String, value: String) {
    #expect(head.queryParameter(name) == value)
}

@Test func queryParameterAbsent() {
    #expect(head.queryParameter("nope") == nil)
    #expect(head.queryParameter("Topic") == nil)  // names are case-sensitive
}

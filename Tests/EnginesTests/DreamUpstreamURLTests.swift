import Testing
@testable import Engines

/// `dream_upstream_url`: what it accepts, and the endpoint it means.
@Suite struct DreamUpstreamURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000", "127.0.0.1", 8000, "/v1/chat/completions"),
        ("http://localhost:8000/", "localhost", 8000, "/v1/chat/completions"),
        ("http://llm.internal/v1", "llm.internal", 80, "/v1/chat/completions"),
        ("http://llm.internal:81/openai/v1/", "llm.internal", 81, "/openai/v1/chat/completions"),
        ("http://h:1/custom/chat/completions?x=1", "h", 1, "/custom/chat/completions"),
        ("HTTP://[::1]:9000", "::1", 9000, "/v1/chat/completions"),
        ("https://api.example.com/v1", "api.example.com", 443, "/v1/chat/completions"),
        ("https://127.0.0.1:8443", "127.0.0.1", 8443, "/v1/chat/completions"),
    ])
    func accepted(_ text: String, _ host: String, _ port: Int, _ path: String) throws {
        let u = try UpstreamURL(text)
        #expect(u.host == host && u.port == port && u.path == path)
        #expect(u.isTLS == text.hasPrefix("https"))
    }

    @Test func hostHeaders() throws {
        #expect(try UpstreamURL("http://[::1]:9000").hostHeader == "[::1]:9000")
        #expect(try UpstreamURL("http://a.b").hostHeader == "a.b")
        #expect(try UpstreamURL("https://a.b").hostHeader == "a.b")
        #expect(try UpstreamURL("https://a.b:80").hostHeader == "a.b:80")
        #expect(try UpstreamURL("https://a.b/v1").description == "https://a.b/v1/chat/completions")
    }

    @Test func refused() {
        #expect(throws: UpstreamURL.Failure.notHTTP("ftp://x")) { try UpstreamURL("ftp://x") }
        #expect(throws: UpstreamURL.Failure.badPort("http://h:0")) { try UpstreamURL("http://h:0") }
        #expect(throws: UpstreamURL.Failure.badHost("http://:80")) { try UpstreamURL("http://:80") }
        #expect(throws: UpstreamURL.Failure.badHost("http://u:p@h")) { try UpstreamURL("http://u:p@h") }
    }

    @Test func theRequestStreamsWithTheKeyAndTheLength() throws {
        let r = UpstreamConnection.Request(url: try UpstreamURL("http://h:81"), key: "sk-1", model: "m", prompt: "say \"hi\"",
                                           maxTokens: 5, seed: 3, timeout: 1)
        let text = String(decoding: UpstreamConnection.requestBytes(r), as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].hasPrefix("POST /v1/chat/completions HTTP/1.1\r\nHost: h:81\r\n"))
        #expect(parts[0].contains("Authorization: Bearer sk-1"))
        #expect(parts[0].contains("Content-Length: \(parts[1].utf8.count)"))
        #expect(parts[1] == #"{"model":"m","messages":[{"role":"user","content":"say \"hi\""}],"stream":true,"max_tokens":5,"seed":3}"#)
    }
}

import Foundation

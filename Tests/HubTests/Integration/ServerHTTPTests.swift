import Foundation
import Glibc
import Testing
@testable import Hub
import WSProtocol

/// Plain HTTP against a real server: every request gets an answer and then the server closes
/// the connection (PROTOCOL.md: "a plain HTTP answer, never a hang").
@Suite struct ServerHTTPTests {
    /// Sends `request` and reads until the server closes the connection, which must happen
    /// within a second.
    static func exchange(_ request: [UInt8], port: Int) throws -> TestHTTPResponse {
        let socket = try TestSocket(port: port)
        try socket.send(request)
        let bytes = try socket.readToEnd(timeout: 1)
        return try #require(TestHTTPResponse(bytes), "not an HTTP response: \(String(decoding: bytes, as: UTF8.self))")
    }

    static func exchange(_ request: String, port: Int) throws -> TestHTTPResponse {
        try exchange(Array(request.utf8), port: port)
    }

    @Test func healthAnswers200WithStatusOK() async throws {
        try await TestServer.runOnThread { server in
            let r = try Self.exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.statusLine == "HTTP/1.1 200 OK")
            #expect(r.bodyText.hasPrefix(#"{"status":"ok","version":"\#(HubVersion.current)","uptime_s":"#), "\(r.bodyText)")
            #expect(r.header("Content-Type") == "application/json")
            #expect(r.header("Content-Length") == String(r.body.count))
        }
    }

    /// HEAD gets the headers GET would get and no body (RFC 9110 §9.3.2).
    @Test func headHealthHasNoBody() async throws {
        try await TestServer.runOnThread { server in
            let r = try Self.exchange("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.status == 200)
            let get = try Self.exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.header("Content-Length") == String(get.body.count))
            #expect(r.body.isEmpty, "body \(r.bodyText)")
        }
    }

    /// One rejected request: what is sent, the status expected, and headers the answer must carry.
    struct Rejection: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: Int
        var headers: [String: String] = [:]
        var testDescription: String { name }
    }

    static let upgradeHeaders = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    static let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

    static let rejections: [Rejection] = [
        Rejection(name: "unknown path", request: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", status: 404),
        Rejection(name: "plain GET /echo", request: "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", status: 426,
                  headers: ["Sec-WebSocket-Version": "13", "Upgrade": "websocket"]),
        Rejection(name: "version 12",
                  request: "GET /echo HTTP/1.1\r\nHost: x\r\n\(upgradeHeaders)\(key)Sec-WebSocket-Version: 12\r\n\r\n",
                  status: 426, headers: ["Sec-WebSocket-Version": "13"]),
        Rejection(name: "missing key",
                  request: "GET /echo HTTP/1.1\r\nHost: x\r\n\(upgradeHeaders)Sec-WebSocket-Version: 13\r\n\r\n",
                  status: 400),
        Rejection(name: "key not 16 bytes",
                  request: "GET /echo HTTP/1.1\r\nHost: x\r\n\(upgradeHeaders)Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
                  status: 400),
        Rejection(name: "POST /echo",
                  request: "POST /echo HTTP/1.1\r\nHost: x\r\n\(upgradeHeaders)\(key)Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
                  status: 405, headers: ["Allow": "GET"]),
        Rejection(name: "POST /health", request: "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                  status: 405, headers: ["Allow": "GET"]),
        Rejection(name: "malformed request line", request: "GARBAGE\r\n\r\n", status: 400),
        Rejection(name: "bad HTTP version", request: "GET /health HTTP/9\r\nHost: x\r\n\r\n", status: 400),
        Rejection(name: "missing Host on upgrade",
                  request: "GET /echo HTTP/1.1\r\n\(upgradeHeaders)\(key)Sec-WebSocket-Version: 13\r\n\r\n", status: 400),
        Rejection(name: "head over 8 KiB",
                  request: "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n",
                  status: 431),
        Rejection(name: "head of 8193 bytes", request: ServerHTTPTests.head(totalBytes: 8193), status: 431),
        Rejection(name: "101 headers", request: ServerHTTPTests.head(headerCount: 101), status: 431),
    ]

    /// A `GET /health` head of exactly `totalBytes` bytes, blank line included.
    static func head(totalBytes: Int) -> String {
        let start = "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: "
        let end = "\r\n\r\n"
        return start + String(repeating: "p", count: totalBytes - start.utf8.count - end.utf8.count) + end
    }

    /// A `GET /health` head with `headerCount` header fields, `Host` included.
    static func head(headerCount: Int) -> String {
        var s = "GET /health HTTP/1.1\r\nHost: x\r\n"
        for i in 1..<headerCount { s += "X-H\(i): v\r\n" }
        return s + "\r\n"
    }

    @Test(arguments: rejections)
    func rejectsWithStatusAndCloses(_ r: Rejection) async throws {
        try await TestServer.runOnThread { server in
            let response = try Self.exchange(r.request, port: server.port)
            #expect(response.status == r.status, "\(response.statusLine)")
            let tokens = (response.header("Connection") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            #expect(tokens.last == "close", "\(response.headers)")
            #expect(response.header("Content-Length") == String(response.body.count))
            for (name, value) in r.headers where name != "Connection" {
                #expect(response.header(name) == value, "\(name) in \(response.headers)")
            }
            #expect(response.header("Sec-WebSocket-Accept") == nil)
        }
    }

    /// The limits are inclusive: a head of exactly 8192 bytes and exactly 100 header fields pass.
    @Test func headAtTheLimitsIsAccepted() async throws {
        try await TestServer.runOnThread { server in
            let big = try Self.exchange(Self.head(totalBytes: 8192), port: server.port)
            #expect(big.status == 200)
            let many = try Self.exchange(Self.head(headerCount: 100), port: server.port)
            #expect(many.status == 200)
        }
    }

    /// A head that arrives one byte per TCP write parses like one that arrives whole.
    @Test func headSplitIntoSingleBytes() async throws {
        try await TestServer.runOnThread { server in
            let socket = try TestSocket(port: server.port)
            for b in "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8 {
                try socket.send([b])
                usleep(200)
            }
            let bytes = try socket.readToEnd(timeout: 1)
            let r = try #require(TestHTTPResponse(bytes))
            #expect(r.status == 200)
            #expect(r.bodyText.hasPrefix(#"{"status":"ok","#), "\(r.bodyText)")
        }
    }
}

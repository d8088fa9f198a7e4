import Testing
@testable import Hub
import WSProtocol

/// Every RFC 6455 "MUST fail the connection" against a real server: the exact close frame it
/// sends (first byte 0x88, a length covering the whole rest, then the code), then EOF.
@Suite struct ServerProtocolErrorTests {
    /// One violation: the bytes a client sends after the handshake and the close code expected.
    struct Violation: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let code: UInt16
        var deflate = false
        var testDescription: String { name }
    }

    static let key: UInt32 = 0x3712_A5C9

    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var f = WebSocketFrameEncoder.frame(WebSocketOpcode(opcode), payload: payload, fin: fin, maskKey: key)
        f[0] |= rsv
        return f
    }

    static let violations: [Violation] = [
        Violation(name: "unmasked frame", bytes: [0x81, 0x02, 0x68, 0x69], code: 1002),
        Violation(name: "RSV1 without extension", bytes: frame(0x1, Array("hi".utf8), rsv: 0x40), code: 1002),
        Violation(name: "RSV2 with deflate", bytes: frame(0x1, Array("hi".utf8), rsv: 0x20), code: 1002, deflate: true),
        Violation(name: "RSV3", bytes: frame(0x2, [1], rsv: 0x10), code: 1002),
        Violation(name: "RSV1 on a ping with deflate", bytes: frame(0x9, [], rsv: 0x40), code: 1002, deflate: true),
        Violation(name: "reserved data opcode 0x3", bytes: frame(0x3, []), code: 1002),
        Violation(name: "reserved control opcode 0xB", bytes: frame(0xB, []), code: 1002),
        Violation(name: "ping over 125 bytes", bytes: frame(0x9, [UInt8](repeating: 1, count: 126)), code: 1002),
        Violation(name: "fragmented ping", bytes: frame(0x9, [1], fin: false), code: 1002),
        Violation(name: "continuation without start", bytes: frame(0x0, Array("x".utf8)), code: 1002),
        Violation(name: "new message inside a fragmented one",
                  bytes: frame(0x1, Array("a".utf8), fin: false) + frame(0x1, Array("b".utf8)), code: 1002),
        Violation(name: "non-minimal 16-bit length", bytes: [0x81, 0xFE, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0, 0], code: 1002),
        Violation(name: "64-bit length with the top bit set",
                  bytes: [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], code: 1002),
        Violation(name: "invalid UTF-8 text", bytes: frame(0x1, [0x48, 0xC3, 0x28]), code: 1007),
        Violation(name: "invalid UTF-8 across fragments",
                  bytes: frame(0x1, [0xCE], fin: false) + frame(0x0, [0x41]), code: 1007),
        Violation(name: "close with code 1005", bytes: frame(0x8, [0x03, 0xED]), code: 1002),
        Violation(name: "close with code 999", bytes: frame(0x8, [0x03, 0xE7]), code: 1002),
        Violation(name: "close with a 1-byte payload", bytes: frame(0x8, [0x03]), code: 1002),
        Violation(name: "close reason not UTF-8", bytes: frame(0x8, [0x03, 0xE8, 0xFF]), code: 1007),
        // Only the header, claiming 17 MiB: refused before any payload is read.
        Violation(name: "binary over the 16 MiB /echo limit",
                  bytes: [0x82, 0xFF, 0, 0, 0, 0, 0x01, 0x10, 0, 0, 1, 2, 3, 4], code: 1009),
        Violation(name: "compressed garbage", bytes: frame(0x1, [0xFF, 0xFF, 0xFF], rsv: 0x40), code: 1007, deflate: true),
    ]

    @Test(arguments: violations)
    func failsTheConnectionWithTheExactCloseFrame(_ v: Violation) async throws {
        // The default close timeout is long: the server lets go because the client hangs up.
        try await TestServer.runOnThread { server in
            let headers = v.deflate ? [("Sec-WebSocket-Extensions", "permessage-deflate")] : []
            let client = try TestWebSocketClient(port: server.port, extraHeaders: headers)
            #expect(client.deflateNegotiated == v.deflate)
            try client.sendRaw(v.bytes)
            // The close frame, then the server's FIN: the read ends in EOF within a second.
            let raw = try client.readToEnd(timeout: 1)
            try #require(raw.count >= 4, "got \(raw)")
            #expect(raw[0] == 0x88, "\(raw)")
            #expect(Int(raw[1]) == raw.count - 2, "exactly one unmasked close frame: \(raw)")
            #expect(raw[1] <= 125)
            #expect(Array(raw[2..<4]) == [UInt8(v.code >> 8), UInt8(v.code & 0xFF)],
                    "code \(UInt16(raw[2]) << 8 | UInt16(raw[3])), reason \(String(decoding: raw[4...], as: UTF8.self))")
            #expect(String(validating: raw[4...], as: UTF8.self) != nil, "the reason is UTF-8")
            client.socket.close()
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 0 })
        }
    }

    /// The client answers the server's close (as §7.1.1 asks) and then hangs up; the server ends
    /// the connection and nothing more is written.
    @Test func clientAnswersTheClose() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.sendRaw([0x81, 0x02, 0x68, 0x69])
            let close = try client.readFrame()
            #expect(close.opcode == .close)
            #expect(close.closeCode == 1002)
            try client.sendClose(code: 1002)
            #expect(try client.readToEnd(timeout: 1).isEmpty)
            client.socket.close()
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 0 })
        }
    }
}

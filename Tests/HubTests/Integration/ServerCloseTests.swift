import Testing
@testable import Hub
import WSProtocol

/// The closing handshake started by the client (RFC 6455 §5.5.1, §7.1).
@Suite struct ServerCloseTests {
    @Test func closeWithCodeIsAnsweredWithTheCodeThenEOF() async throws {
        // The default close timeout is long: the connection ends because of the handshake.
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.sendClose(code: 1000, reason: "bye")
            let raw = try client.readToEnd(timeout: 1)
            try #require(raw.count >= 4, "\(raw)")
            #expect(raw[0] == 0x88)
            #expect(Int(raw[1]) == raw.count - 2, "one close frame and nothing else")
            #expect(Array(raw[2..<4]) == [0x03, 0xE8])
            client.socket.close()
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 0 })
        }
    }

    @Test func emptyCloseIsAnsweredWithAnEmptyClose() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.sendClose(code: nil)
            #expect(try client.readToEnd(timeout: 1) == [0x88, 0x00])
        }
    }

    /// Nothing is echoed after the peer's close: a message behind it in the same write is dropped.
    @Test func messagesAfterCloseAreNotEchoed() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            let close = WebSocketFrameEncoder.frame(.close, payload: [0x03, 0xE8], maskKey: 1)
            let text = WebSocketFrameEncoder.frame(.text, payload: Array("late".utf8), maskKey: 2)
            try client.sendRaw(close + text)
            #expect(try client.readToEnd(timeout: 1) == [0x88, 0x02, 0x03, 0xE8])
        }
    }

    /// A client that hangs up without a close handshake is forgotten at once.
    @Test func hangUpWithoutCloseFrees() async throws {
        try await TestServer.runOnThread { server in
            var clients: [TestWebSocketClient] = []
            for _ in 0..<10 { clients.append(try TestWebSocketClient(port: server.port)) }
            #expect(server.connectionCount == 10)
            for c in clients { c.socket.close() }
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 0 })
        }
    }
}

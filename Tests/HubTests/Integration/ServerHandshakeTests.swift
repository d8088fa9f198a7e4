import Glibc
import Testing
@testable import Hub
import WSProtocol

/// The opening handshake against a real server (RFC 6455 §4.2.2, RFC 7692 §5).
@Suite struct ServerHandshakeTests {
    /// The RFC's own example: key `dGhlIHNhbXBsZSBub25jZQ==` gets
    /// `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=` (RFC 6455 §1.3), on the wire.
    @Test func acceptForTheRFCExampleKey() async throws {
        try await TestServer.runOnThread { server in
            let socket = try TestSocket(port: server.port)
            try socket.send("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            let bytes = try socket.receive(timeout: 1)
            let r = try #require(TestHTTPResponse(bytes))
            #expect(r.statusLine == "HTTP/1.1 101 Switching Protocols")
            #expect(r.header("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            #expect(r.header("Upgrade") == "websocket")
            #expect(r.header("Connection") == "Upgrade")
            #expect(r.header("Content-Length") == nil)
            #expect(r.body.isEmpty)
            #expect(r.header("Sec-WebSocket-Protocol") == nil)
            #expect(r.header("Sec-WebSocket-Extensions") == nil)
        }
    }

    /// Random keys: the client checks the accept against `WebSocketHandshake.acceptKey`.
    @Test func acceptForRandomKeys() async throws {
        try await TestServer.runOnThread { server in
            for _ in 0..<5 {
                let client = try TestWebSocketClient(port: server.port)
                #expect(client.response.header("Sec-WebSocket-Accept") == WebSocketHandshake.acceptKey(for: client.key))
            }
        }
    }

    @Test func selectsHubV1AmongOfferedSubprotocols() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: [("Sec-WebSocket-Protocol", "foo, hub.v1")])
            #expect(client.response.headerValues("Sec-WebSocket-Protocol") == ["hub.v1"])
        }
    }

    @Test func onlyUnknownSubprotocolsSelectNone() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: [("Sec-WebSocket-Protocol", "foo, bar")])
            #expect(client.response.status == 101)
            #expect(client.response.header("Sec-WebSocket-Protocol") == nil)
            // The connection works without one.
            try client.sendText("still here")
            #expect(try client.readMessage().payload == Array("still here".utf8))
        }
    }

    @Test func negotiatesPermessageDeflate() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(
                port: server.port, extraHeaders: [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")])
            let ext = try #require(client.response.header("Sec-WebSocket-Extensions"))
            #expect(ext.hasPrefix("permessage-deflate"))
            #expect(ext.contains("server_no_context_takeover"))
            #expect(client.deflateNegotiated)
        }
    }

    @Test func deflateOffNegotiatesNothing() async throws {
        try await TestServer.runOnThread({ $0.deflate = false }) { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: [("Sec-WebSocket-Extensions", "permessage-deflate")])
            #expect(client.response.header("Sec-WebSocket-Extensions") == nil)
        }
    }

    /// An upgrade request that arrives one byte per TCP write still upgrades.
    @Test func upgradeRequestSplitIntoSingleBytes() async throws {
        try await TestServer.runOnThread { server in
            let socket = try TestSocket(port: server.port)
            let request = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            for b in request.utf8 {
                try socket.send([b])
                usleep(100)
            }
            var bytes: [UInt8] = []
            while TestHTTPResponse.headEnd(in: bytes) == nil {
                let chunk = try socket.receive(timeout: 1)
                try #require(!chunk.isEmpty, "EOF before the 101")
                bytes += chunk
            }
            let r = try #require(TestHTTPResponse(bytes))
            #expect(r.status == 101)
            #expect(r.header("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        }
    }

    /// Frames in the same TCP write as the upgrade request are not lost: the bytes after the head
    /// are the first frames.
    @Test func framesInTheSameWriteAsTheRequest() async throws {
        try await TestServer.runOnThread { server in
            let socket = try TestSocket(port: server.port)
            let request = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            let frame = WebSocketFrameEncoder.frame(.text, payload: Array("early".utf8), maskKey: 0x1234_5678)
            try socket.send(Array(request.utf8) + frame)
            var bytes: [UInt8] = []
            let expected: [UInt8] = [0x81, 0x05] + Array("early".utf8)
            let deadline = TestDeadline(seconds: 1)
            while true {
                if let end = TestHTTPResponse.headEnd(in: bytes), bytes.count >= end + expected.count { break }
                let chunk = try socket.receive(timeout: deadline.remaining)
                try #require(!chunk.isEmpty, "EOF")
                bytes += chunk
            }
            let end = try #require(TestHTTPResponse.headEnd(in: bytes))
            #expect(TestHTTPResponse(Array(bytes[..<end]))?.status == 101)
            #expect(Array(bytes[end...]) == expected)
        }
    }
}

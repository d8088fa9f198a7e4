import Glibc
import Testing
@testable import Hub
import WSProtocol

/// A client that half-closes (FIN after its last bytes) still gets everything it asked for.
@Suite struct ServerHalfCloseTests {
    @Test func httpRequestThenHalfClose() async throws {
        try await TestServer.runOnThread { server in
            let socket = try TestSocket(port: server.port)
            try socket.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            socket.shutdownWrite()
            let r = try #require(TestHTTPResponse(try socket.readToEnd(timeout: 1)))
            #expect(r.status == 200)
            #expect(r.bodyText.hasPrefix(#"{"status":"ok","#), "\(r.bodyText)")
        }
    }

    /// A big echo, then the client's close, then its FIN, before it reads anything: the queued
    /// echo and the close answer must still arrive whole (the FIN ends the client's sending, not
    /// its reading).
    @Test func bigEchoThenCloseThenHalfClose() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, receiveBuffer: 64 << 10)
            let payload = ServerEchoTests.payload(.binary, count: 6 << 20)
            try client.send(.binary, payload)
            try client.sendClose(code: 1000)
            client.socket.shutdownWrite()
            // Read only once the server has surely seen the FIN, with most of the echo still
            // queued (more than the socket buffers hold).
            usleep(300_000)
            let echo = try client.readFrame(timeout: 5)
            #expect(echo.opcode == .binary)
            #expect(echo.payload.count == payload.count)
            #expect(echo.payload == payload)
            let close = try client.readFrame()
            #expect(close.closeCode == 1000)
            #expect(try client.readToEnd(timeout: 1).isEmpty)
        }
    }

    /// A peer that half-closes and then never reads cannot hold the socket: it is dropped at the
    /// close timeout. (6 MiB stays under the 8 MiB read-pause threshold, so the server sees the
    /// FIN; a small receive buffer makes sure the echo is still queued when it does.)
    @Test func halfClosedPeerThatNeverReadsIsDroppedAtTheCloseTimeout() async throws {
        try await TestServer.runOnThread({ $0.closeTimeout = 0.3 }) { server in
            let client = try TestWebSocketClient(port: server.port, receiveBuffer: 64 << 10)
            try client.send(.binary, ServerEchoTests.payload(.binary, count: 6 << 20))
            client.socket.shutdownWrite()
            let start = TestDeadline.now()
            #expect(TestDeadline.waitUntil(timeout: 2) { server.connectionCount == 0 })
            #expect(TestDeadline.now() - start < 1.5)
        }
    }
}

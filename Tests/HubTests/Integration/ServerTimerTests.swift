import Glibc
import Testing
@testable import Hub
import WSProtocol

/// The handshake, ping, idle and close timers with short settings (handshake 0.3 s, ping 0.2 s,
/// idle 0.6 s, close 0.3 s). The timer wheel ticks every 50 ms, so deadlines are checked with
/// that much slack early and generous slack late.
@Suite struct ServerTimerTests {
    /// A socket that never completes its request head gets 408 and EOF after the handshake
    /// timeout: one that sends nothing, and one that stops halfway (slowloris).
    @Test(arguments: ["", "GET /health HTTP/1.1\r\nHost: x\r\n"])
    func handshakeTimeoutAnswers408(_ partial: String) async throws {
        // A long close timeout: the EOF right after the 408 is the server's doing, not a timer's.
        try await TestServer.runOnThread({ TestServer.shortTimers(&$0); $0.closeTimeout = 5 }) { server in
            let socket = try TestSocket(port: server.port)
            let start = TestDeadline.now()
            if !partial.isEmpty { try socket.send(partial) }
            let bytes = try socket.readToEnd(timeout: 2)
            let elapsed = TestDeadline.now() - start
            let r = try #require(TestHTTPResponse(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(r.status == 408)
            #expect(elapsed >= 0.25, "closed after \(elapsed) s")
            #expect(elapsed < 1.5, "closed after \(elapsed) s")
            socket.close()
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 0 })
        }
    }

    /// A silent WebSocket is pinged after the ping interval (`89 00`), and, never answering,
    /// closed with 1001 after the idle timeout.
    @Test func silentClientIsPingedThenClosedWith1001() async throws {
        try await TestServer.runOnThread(TestServer.shortTimers) { server in
            let client = try TestWebSocketClient(port: server.port)
            let start = TestDeadline.now()
            let ping = try client.readRaw(count: 2, timeout: 1)
            let pingAt = TestDeadline.now() - start
            #expect(ping == [0x89, 0x00])
            #expect(pingAt >= 0.15 && pingAt < 0.5, "ping after \(pingAt) s")
            let close = try client.readFrame(timeout: 1.5)
            let closeAt = TestDeadline.now() - start
            #expect(close.opcode == .close)
            #expect(close.closeCode == 1001, "\(close)")
            #expect(closeAt >= 0.55 && closeAt < 1.2, "close after \(closeAt) s")
            #expect(try client.readToEnd(timeout: 1).isEmpty)
        }
    }

    /// A client that answers every ping stays open well past the idle timeout.
    @Test func clientThatAnswersPingsStaysOpen() async throws {
        try await TestServer.runOnThread(TestServer.shortTimers) { server in
            let client = try TestWebSocketClient(port: server.port)
            let deadline = TestDeadline(seconds: 1.5)
            var pings = 0
            while !deadline.hasPassed {
                guard let frame = try client.readFrameIfAny(timeout: deadline.remaining) else { break }
                #expect(frame.opcode == .ping, "\(frame)")
                guard frame.opcode == .ping else { break }
                pings += 1
                try client.send(.pong, frame.payload)
            }
            #expect(pings >= 3, "\(pings) pings in 1.5 s")
            try client.sendText("still open")
            #expect(try client.readFrame() == TestFrame(opcode: .text, fin: true, rsv1: false, payload: Array("still open".utf8)))
            #expect(server.connectionCount == 1)
        }
    }

    /// After the server's close (here the idle one), a client that never answers nor hangs up
    /// loses the TCP connection after the close timeout, not before.
    @Test func unansweredCloseEndsAfterTheCloseTimeout() async throws {
        try await TestServer.runOnThread(TestServer.shortTimers) { server in
            let client = try TestWebSocketClient(port: server.port)
            var frame = try client.readFrame(timeout: 1)
            if frame.opcode == .ping { frame = try client.readFrame(timeout: 1.5) }
            #expect(frame.closeCode == 1001)
            let closeAt = TestDeadline.now()
            usleep(100_000)
            #expect(server.connectionCount == 1, "closed before the close timeout")
            #expect(TestDeadline.waitUntil(timeout: 1.5) { server.connectionCount == 0 })
            let elapsed = TestDeadline.now() - closeAt
            #expect(elapsed >= 0.2 && elapsed < 1.0, "dropped \(elapsed) s after the close")
        }
    }

    /// A client that answers the server's close is let go at once, long before the close timeout.
    @Test func answeredCloseEndsAtOnce() async throws {
        try await TestServer.runOnThread({ TestServer.shortTimers(&$0); $0.closeTimeout = 5 }) { server in
            let client = try TestWebSocketClient(port: server.port)
            var frame = try client.readFrame(timeout: 1)
            if frame.opcode == .ping { frame = try client.readFrame(timeout: 1.5) }
            #expect(frame.closeCode == 1001)
            try client.sendClose(code: 1001)
            #expect(try client.readToEnd(timeout: 1).isEmpty)
            #expect(TestDeadline.waitUntil(timeout: 0.5) { server.connectionCount == 0 })
        }
    }
}

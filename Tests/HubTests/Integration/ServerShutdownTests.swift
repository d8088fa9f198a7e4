import Foundation
import Testing
@testable import Hub
import WSProtocol

/// `Server.shutdown()`: 1001 to every WebSocket, the drain, and its timeouts.
@Suite struct ServerShutdownTests {
    /// Runs `server.shutdown()` on a thread of its own; the semaphore is signalled when it returns.
    static func shutdownInBackground(_ server: Server) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            server.shutdown()
            done.signal()
        }
        thread.start()
        return done
    }

    @Test func everyClientGets1001AndTheDrainCompletes() async throws {
        // Long close and drain timeouts: shutdown may only return this fast if the clients answer.
        try await TestServer.runOnThread({ $0.drainTimeout = 5 }) { server in
            let clients = try (0..<3).map { _ in try TestWebSocketClient(port: server.port) }
            let idle = try TestSocket(port: server.port)  // still in the HTTP phase
            #expect(TestDeadline.waitUntil(timeout: 1) { server.connectionCount == 4 })
            let start = TestDeadline.now()
            let done = Self.shutdownInBackground(server)
            for client in clients {
                let close = try client.readFrame(timeout: 1)
                #expect(close.opcode == .close)
                #expect(close.closeCode == 1001, "\(close)")
            }
            #expect(try idle.readToEnd(timeout: 1).isEmpty, "an HTTP-phase socket is closed at once")
            for client in clients { try client.sendClose(code: 1001) }
            #expect(done.wait(timeout: .now() + 2) == .success, "shutdown did not return")
            #expect(TestDeadline.now() - start < 1.5)
            for client in clients { #expect(try client.readToEnd(timeout: 1).isEmpty) }
            #expect(server.connectionCount == 0)
            // The listener is gone.
            #expect(throws: TestSocket.Failure.connect(ECONNREFUSED)) { _ = try TestSocket(port: server.port) }
        }
    }

    /// A client that neither answers nor hangs up is dropped at the close timeout, and the
    /// shutdown returns then.
    @Test func silentClientIsDroppedAtTheCloseTimeout() async throws {
        try await TestServer.runOnThread({ $0.closeTimeout = 0.3; $0.drainTimeout = 5 }) { server in
            let client = try TestWebSocketClient(port: server.port)
            let start = TestDeadline.now()
            let done = Self.shutdownInBackground(server)
            #expect(try client.readFrame(timeout: 1).closeCode == 1001)
            #expect(done.wait(timeout: .now() + 2) == .success, "shutdown did not return")
            let elapsed = TestDeadline.now() - start
            #expect(elapsed >= 0.25 && elapsed < 1.5, "returned after \(elapsed) s")
        }
    }

    /// When the drain timeout is shorter than the close timeout, the drain timeout wins: the
    /// remaining connections are closed and shutdown returns.
    @Test func drainTimeoutForcesTheRestClosed() async throws {
        try await TestServer.runOnThread({ $0.closeTimeout = 10; $0.drainTimeout = 0.4 }) { server in
            let clients = try (0..<2).map { _ in try TestWebSocketClient(port: server.port) }
            let start = TestDeadline.now()
            let done = Self.shutdownInBackground(server)
            for client in clients { #expect(try client.readFrame(timeout: 1).closeCode == 1001) }
            #expect(done.wait(timeout: .now() + 2) == .success, "shutdown did not return")
            let elapsed = TestDeadline.now() - start
            #expect(elapsed >= 0.35 && elapsed < 1.5, "returned after \(elapsed) s")
            #expect(server.connectionCount == 0)
        }
    }

    /// Shutting down an idle server returns at once, and a second call returns too.
    @Test func idleServerShutsDownAtOnce() async throws {
        try await TestServer.runOnThread { server in
            let start = TestDeadline.now()
            server.shutdown()
            server.shutdown()
            #expect(TestDeadline.now() - start < 0.5)
        }
    }
}

import Testing
@testable import Hub
import WSProtocol

/// Hundreds of WebSockets open at once on one server, all echoing.
@Suite struct ServerManyConnectionsTests {
    @Test func fiveHundredConcurrentClientsEcho() async throws {
        try await TestThreadExecutor.run {
            // 500 client sockets plus the server's 500 live in this process; the default soft
            // limit (often 1024) is too tight with the other tests running in parallel.
            Socket.raiseFileLimit()
            try TestServer.run { server in
                let count = 500
                var clients: [TestWebSocketClient] = []
                clients.reserveCapacity(count)
                for _ in 0..<count { clients.append(try TestWebSocketClient(port: server.port)) }
                #expect(server.connectionCount == count)
                #expect(server.metrics.webSocketsOpen.load(ordering: .relaxed) == count)

                // Every client has a message in flight before any echo is read.
                for (i, client) in clients.enumerated() { try client.sendText("client \(i)") }
                for (i, client) in clients.enumerated() {
                    let echo = try client.readFrame(timeout: 5)
                    #expect(echo.opcode == .text)
                    #expect(String(decoding: echo.payload, as: UTF8.self) == "client \(i)")
                }

                // Half say goodbye properly, half just hang up.
                for (i, client) in clients.enumerated() where i % 2 == 0 { try client.sendClose(code: 1000) }
                for (i, client) in clients.enumerated() where i % 2 == 0 {
                    #expect(try client.readFrame().closeCode == 1000)
                }
                for client in clients { client.socket.close() }
                #expect(TestDeadline.waitUntil(timeout: 3) { server.connectionCount == 0 },
                        "\(server.connectionCount) still open")
                #expect(server.metrics.webSocketsOpen.load(ordering: .relaxed) == 0)
                #expect(server.metrics.webSocketsTotal.load(ordering: .relaxed) == count)
            }
        }
    }
}

import Engines
@testable import Hub

/// Runs a real `Server` on 127.0.0.1 and a kernel-chosen port for one test.
enum TestServer {
    /// The settings every integration test starts from: port 0 (tests run in parallel), two
    /// loops, errors-only logging into memory. The close timeout stays long (5 s) so that an EOF
    /// seen within a second proves the server closed on purpose, not at a timer; the drain
    /// timeout is short (2 s) so a failing test that leaves a client open still shuts down
    /// quickly. Ping and idle timers keep their long defaults so they never fire in a test that
    /// does not ask for them.
    static func config() -> HubConfig {
        var c = HubConfig()
        c.port = 0
        c.loops = 2
        c.closeTimeout = 5
        c.drainTimeout = 2
        // No engines unless a test asks: they train models and add tasks at every start.
        c.engines = []
        return c
    }

    /// The config of the timer tests: every timer short (handshake 0.3 s, ping 0.2 s, idle 0.6 s,
    /// close 0.3 s).
    static func shortTimers(_ c: inout HubConfig) {
        c.handshakeTimeout = 0.3
        c.pingInterval = 0.2
        c.idleTimeout = 0.6
        c.closeTimeout = 0.3
    }

    /// Starts a server with `config()` changed by `configure` (its tokens checked by `verifier`),
    /// runs `body`, and shuts the server down afterwards, whether `body` returned or threw.
    @discardableResult
    static func run<T>(_ configure: (inout HubConfig) -> Void = { _ in }, verifier: any TokenVerifier = RefusingTokenVerifier(),
                       _ body: (Server) throws -> T) throws -> T {
        var c = config()
        configure(&c)
        let server = try Server(config: c, logger: Logger(level: .error, sink: MemoryLogSink()), verifier: verifier)
        server.start()
        defer { server.shutdown() }
        return try body(server)
    }
}

extension TestServer {
    /// `run` from an async test, with the body on a thread of its own (see `TestThreadExecutor`)
    /// and the server's bus at high priority.
    ///
    /// The bus (shard actors, `BusPort` tasks) runs on Swift's cooperative pool, one thread per
    /// core, and so do Swift Testing's tests: synchronous tests that block or compute for seconds
    /// (the WSProtocol fuzz and deflate round trips run in the same process under `swift test`)
    /// can hold every pool thread, and a test waiting for a reply through the bus then times
    /// out. Here the test's blocking body never holds a pool thread, and the bus's tasks are
    /// created from a high-priority task (they inherit its priority), so the pool serves them
    /// before the tests' medium-priority work.
    @discardableResult
    static func runOnThread<T>(_ configure: (inout HubConfig) -> Void = { _ in }, engines: EngineRegistry? = nil,
                               _ body: (Server) throws -> T) async throws -> T {
        var c = config()
        configure(&c)
        let settings = c
        let server = try await Task(priority: .high) {
            try Server(config: settings, logger: Logger(level: .error, sink: MemoryLogSink()), engines: engines)
        }.value
        return try await TestThreadExecutor.run {
            server.start()
            defer { server.shutdown() }
            return try body(server)
        }
    }
}

import Broadcast
import Dispatch
import Foundation
import Glibc

/// The `hub` command: parses the configuration and runs the chosen subcommand.
enum HubMain {
    /// Runs `hub` with `arguments` (without the program name); returns the exit status.
    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        let command: HubCommand
        do {
            command = try ConfigLoader.load(arguments: arguments, environment: environment)
        } catch {
            writeStderr("hub: \(error)\nRun `hub --help` for the options.\n")
            return 2
        }
        switch command {
        case .help(let text):
            writeStdout(text)
            return 0
        case .version(let v):
            writeStdout("hub \(v)\n")
            return 0
        case .token(let args):
            return TokenCommand.run(args, environment: environment)
        case .serve(let config):
            return serve(config)
        }
    }

    /// Runs the daemon until SIGTERM/SIGINT, then drains and returns 0.
    static func serve(_ config: HubConfig) -> Int32 {
        let logger = Logger(level: config.logLevel)
        signal(SIGPIPE, SIG_IGN)
        let fileLimit = Socket.raiseFileLimit()
        // The store first: a hub that cannot open or migrate it does not start half-working.
        let store: Store
        do {
            store = try Store.open(dataDir: config.dataDir)
        } catch {
            logger.error("store_failed", [("reason", .string("\(error)"))])
            writeStderr("hub: cannot open the store in \(config.dataDir): \(error)\n")
            return 1
        }
        let verifier = StoreTokenVerifier(store: store, jwtSecret: config.jwtSecret.isEmpty ? nil : Array(config.jwtSecret.utf8),
                                          leeway: Int64(config.jwtLeeway))
        // The verifier's store breaker and verdict cache are reported by the server's health and
        // metrics, and the cache is swept by its `cache_eviction` task.
        let breakers = CircuitBreakerRegistry()
        breakers.register(verifier.breaker)
        let caches = CacheRegistry()
        caches.register(verifier.cache)
        let server: Server
        do {
            server = try Server(config: config, logger: logger, verifier: verifier, database: StoreHealthCheck(store: store),
                                store: store, breakers: breakers, caches: caches)
        } catch {
            logger.error("start_failed", [("reason", .string("\(error)"))])
            writeStderr("hub: cannot start: \(error)\n")
            return 1
        }
        // The few descriptors the process needs besides sockets: listeners, epoll, eventfds, stdio.
        let reserved = 16 + 3 * config.loops
        logger.info("starting", [
            ("version", .string(HubVersion.current)), ("loops", .int(config.loops)),
            ("fd_limit", .int(fileLimit)), ("max_connections", .int(max(0, fileLimit - reserved))),
        ])
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        server.start()
        let base = "\(config.host.contains(":") ? "[\(config.host)]" : config.host):\(server.port)"
        firstRunAdminToken(store, dashboard: "http://\(base)/admin", logger: logger)
        logger.info("listening", [
            ("port", .int(server.port)), ("health", .string("http://\(base)/health")),
            ("echo", config.echo ? .string("ws://\(base)/echo") : .null),
        ])
        stop.wait()
        logger.info("draining", [("connections", .int(server.connectionCount)), ("timeout_s", .double(config.drainTimeout))])
        server.shutdown()
        logger.info("stopped", [])
        _ = sources
        return 0
    }

    /// On the first start (no active admin token in the store) an admin token is created and
    /// printed once, on stdout, with the dashboard link; only its hash is kept.
    static func firstRunAdminToken(_ store: Store, dashboard: String, logger: Logger) {
        let result = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var secret: String?; var error: String? }
        let box = Box()
        Task.onHub {
            do { box.secret = try await store.ensureAdminToken() } catch { box.error = "\(error)" }
            result.signal()
        }
        result.wait()
        if let error = box.error {
            logger.error("admin_token_failed", [("reason", .string(error))])
        } else if let secret = box.secret {
            logger.info("admin_token_created", [("user", "admin"), ("dashboard", .string(dashboard))])
            writeStdout("""

                First start: an admin token was created. It is shown this once; only its hash is stored.
                  admin token: \(secret)
                  dashboard:   \(dashboard)#token=\(secret)
                More tokens: hub token create --user NAME [--admin] (see hub token --help).


                """)
        }
    }

    static func writeStdout(_ s: String) { write(1, s) }
    static func writeStderr(_ s: String) { write(2, s) }

    private static func write(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}

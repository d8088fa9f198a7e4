import Broadcast
import Engines
import Foundation
import Glibc
import Synchronization

/// The daemon's network side: one listener and one `EventLoop` thread per configured loop, all
/// on the same port (SO_REUSEPORT), and the drain on shutdown.
final class Server: Sendable {
    let config: HubConfig
    let logger: Logger
    let metrics = ServerMetrics()
    /// The port actually bound (differs from the config when it asked for 0).
    let port: Int
    let loops: [EventLoop]
    /// The pub/sub bus every loop publishes into and subscribes through.
    let bus: Bus
    /// This node's name (welcome pushes).
    let node: String
    private let finished = Mutex<Int>(0)
    private let allDone = DispatchSemaphore(value: 0)

    /// Binds the listeners (throws when the address is taken or invalid); nothing runs yet.
    /// The identity store, when the daemon has one (the admin audit log writes to it).
    let store: Store?
    /// Checks tokens of `/ws/auth` and `/ws/admin`.
    let verifier: any TokenVerifier
    /// What the health endpoints report: start time, loop states, the store check, the
    /// background tasks, circuit breakers and caches.
    let status: HubStatus
    /// The periodic tasks: admin stream, revocation watch, history expiry, WAL checkpoint, cache
    /// eviction (made in `init`, started by `start()`, stopped by `shutdown()`).
    var scheduler: TaskScheduler { status.scheduler }
    /// The circuit breakers health and metrics report (the verifier's `sqlite` breaker in the daemon).
    var breakers: CircuitBreakerRegistry { status.breakers }
    /// The caches health and metrics report, swept by `cache_eviction`.
    var caches: CacheRegistry { status.caches }
    /// Failed token checks per remote IP (`auth_failures_per_minute`); sessions and the API record
    /// into it, `/ws/auth`, `/ws/admin` and `/api/v1/*` answer 429 while an address is over it.
    let authFailures: FailureLimiter
    /// The engines the config enables (started by `start()`, stopped by `shutdown()`).
    let engines: EngineRegistry
    /// Seconds between two polls of the verifier's revocation stamp.
    static let revocationPollInterval = 0.5
    /// Seconds between two sweeps of expired history (`Bus.sweep`).
    static let historySweepInterval = 10.0
    /// Seconds between two passive WAL checkpoints of the store.
    static let walCheckpointInterval = 60.0
    /// Seconds between two sweeps of the idle-connection reaper, and how late a deadline must be
    /// (ms) before it acts.
    static let reaperInterval = 5.0
    static let reaperGraceMs: UInt64 = 2000
    /// Seconds between two sweeps of expired cache entries.
    static let cacheEvictionInterval = 10.0

    /// `database` is the store's health check (`/ready`, `/health/database`); nil until a store is
    /// wired, reported as `not_configured`. `breakers` and `caches` hold what the caller made
    /// (the verifier's breaker and cache); the server reports them and sweeps the caches.
    init(config: HubConfig, logger: Logger, verifier: any TokenVerifier = RefusingTokenVerifier(),
         database: (any HealthCheck)? = nil, store: Store? = nil,
         breakers: CircuitBreakerRegistry = CircuitBreakerRegistry(), caches: CacheRegistry = CacheRegistry(),
         engines: EngineRegistry? = nil) throws {
        self.verifier = verifier
        self.store = store
        // Tests hand in engines of their own; the daemon builds what the config enables.
        let engines = engines ?? EngineSetup.registry(config: config, store: store)
        self.engines = engines
        status = HubStatus(loopCount: max(1, config.loops), database: database, breakers: breakers, caches: caches,
                           engines: engines)
        authFailures = FailureLimiter(limit: config.authFailuresPerMinute)
        self.config = config
        self.logger = logger
        let node = config.node.isEmpty ? "hub-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) : config.node
        self.node = node
        let sessions = SessionSettings(config: config, node: node, verifier: verifier, store: store, engines: engines)
        let bus = Bus(namespaces: sessions.namespaces)
        self.bus = bus
        let router = Router(config: config, sessions: sessions, metrics: metrics, status: status, authFailures: authFailures)
        let tuning = ServerTuning(config)
        var fds: [Int32] = []
        var boundPort = config.port
        do {
            for _ in 0..<max(1, config.loops) {
                // Port 0: the first bind picks a port, the others join it.
                let fd = try Socket.listen(host: config.host, port: boundPort)
                if boundPort == 0 { boundPort = Socket.localPort(fd) }
                fds.append(fd)
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        port = boundPort
        var made: [EventLoop] = []
        for (i, fd) in fds.enumerated() {
            let loop = try EventLoop(index: i, listenFd: fd, config: tuning, router: router, logger: logger, metrics: metrics,
                                     pushDeflateThreshold: config.deflateThreshold)
            loop.busPort = BusPort(bus: bus, sink: loop)
            made.append(loop)
        }
        for loop in made { loop.peers = made }
        loops = made
        scheduleTasks()
    }

    /// The periodic tasks of every hub; they tick once `start()` has started the scheduler.
    private func scheduleTasks() {
        let stream = AdminStream(server: self)
        scheduler.add("admin_stream", every: max(0.01, config.adminInterval)) { await stream.publish() }
        scheduler.add("revocation_watch", every: Self.revocationPollInterval, revocationWatch())
        let bus = self.bus
        scheduler.add("history_ttl_sweep", every: Self.historySweepInterval) { await bus.sweep() }
        if let store {
            scheduler.add("sqlite_wal_checkpoint", every: Self.walCheckpointInterval) { _ = try await store.checkpointWAL() }
        }
        let loops = self.loops
        scheduler.add("idle_connection_reaper", every: Self.reaperInterval) {
            for loop in loops { loop.post(.run { $0.reapOverdue(graceMs: Server.reaperGraceMs) }) }
        }
        let caches = self.caches
        scheduler.add("cache_eviction", every: Self.cacheEvictionInterval) { caches.evictExpired() }
    }

    /// Starts every loop on a thread of its own.
    /// Returns once every loop thread is running, so `/ready` never sees a loop that merely has
    /// not been scheduled yet.
    func start() {
        startEngines()
        let running = DispatchSemaphore(value: 0)
        for loop in loops {
            let thread = Thread { [self] in
                status.setLoop(loop.index, .running)
                running.signal()
                loop.run()
                status.setLoop(loop.index, .stopped)
                let done = finished.withLock { n -> Bool in
                    n += 1
                    return n == loops.count
                }
                if done { allDone.signal() }
            }
            thread.name = "hub-loop-\(loop.index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in loops { running.wait() }
        scheduler.start()
    }

    /// The revocation watch's body: polls the verifier's revocation stamp; when it moves (a `hub
    /// token revoke` in any process), every loop re-checks its sessions' tokens, so a revoked
    /// token's live connections close with 4401 within a second. Reading the stamp empties the
    /// verifier's cache first (`StoreTokenVerifier`). The re-check runs once more on the next
    /// poll: a session whose verdict was already on its way to its loop when the first re-check
    /// went out has it by then. The first poll re-checks too: a revocation between the start and
    /// that first reading would otherwise become the baseline, unnoticed.
    private func revocationWatch() -> @Sendable () async -> Void {
        struct Seen { var stamp: Int64?; var again = false }
        final class Memory: Sendable { let seen = Mutex(Seen()) }
        let memory = Memory()
        let verifier = self.verifier, loops = self.loops
        return {
            let stamp = await verifier.revocationStamp()
            let recheck = memory.seen.withLock { s -> Bool in
                let moved = s.stamp != stamp
                defer { s.stamp = stamp; s.again = moved }
                return moved || s.again
            }
            if recheck { for loop in loops { loop.post(.run { $0.recheckTokens() }) } }
        }
    }

    /// Each loop's admin numbers, read on the loops' own threads.
    func loopSnapshots() async -> [LoopSnapshot] {
        await withCheckedContinuation { c in
            AdminCommands.gather(from: loops, { $0.snapshot() }) { c.resume(returning: $0) }
        }
    }

    /// Bytes in and out of the open connections, summed over the loops.
    func ioTotals() async -> (bytesIn: Int, bytesOut: Int) {
        let parts = await withCheckedContinuation { c in
            AdminCommands.gather(from: loops, { l -> [Int] in let t = l.ioTotals(); return [t.bytesIn, t.bytesOut] }) { c.resume(returning: $0) }
        }
        return parts.reduce((0, 0)) { ($0.0 + $1[0], $0.1 + $1[1]) }
    }

    /// Open connections across all loops.
    var connectionCount: Int { loops.reduce(0) { $0 + $1.liveConnectionCount } }

    /// Stops accepting, sends 1001 to every WebSocket, waits up to the drain timeout for the close
    /// handshakes, then closes whatever is left. Returns when every loop has stopped.
    func shutdown() {
        scheduler.removeAll()  // the admin stream's body holds the server: let it go
        for loop in loops { loop.post(.shutdown) }
        if allDone.wait(timeout: .now() + config.drainTimeout) == .timedOut {
            logger.warning("drain_timeout", [("open", .int(connectionCount))])
            for loop in loops { loop.post(.forceClose) }
            allDone.wait()
        }
        allDone.signal()  // later callers return at once
        let engines = self.engines, stopped = DispatchSemaphore(value: 0)
        Task.onHub {
            await engines.stop()
            stopped.signal()
        }
        stopped.wait()
    }

    /// Starts the engines before the loops accept anyone, so a client's first engine command
    /// finds them running (an engine that fails to start is reported and left down).
    private func startEngines() {
        guard !engines.names.isEmpty else { return }
        let context = EngineSetup.context(bus: bus, breakers: breakers, scheduler: scheduler, logger: logger)
        let engines = self.engines, timeout = config.engineTimeout, done = DispatchSemaphore(value: 0)
        Task.onHub {
            await engines.start(context, callTimeout: timeout)
            done.signal()
        }
        done.wait()
    }
}

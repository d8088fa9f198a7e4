import Broadcast
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
    private let loops: [EventLoop]
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
    private let adminStream = Mutex<AdminStream?>(nil)
    private let revocationWatch = Mutex<RepeatingTimer?>(nil)
    /// What the health endpoints report: start time, loop states, the store check, task runs.
    let status: HubStatus
    /// Failed token checks per remote IP (`auth_failures_per_minute`); sessions and the API record
    /// into it, `/ws/auth`, `/ws/admin` and `/api/v1/*` answer 429 while an address is over it.
    let authFailures: FailureLimiter
    /// Seconds between two polls of the verifier's revocation stamp.
    static let revocationPollInterval = 0.5

    /// `database` is the store's health check (`/ready`, `/health/database`); nil until a store is
    /// wired, reported as `not_configured`.
    init(config: HubConfig, logger: Logger, verifier: any TokenVerifier = RefusingTokenVerifier(),
         database: (any HealthCheck)? = nil, store: Store? = nil) throws {
        self.verifier = verifier
        self.store = store
        status = HubStatus(loopCount: max(1, config.loops), adminInterval: config.adminInterval, database: database)
        authFailures = FailureLimiter(limit: config.authFailuresPerMinute)
        self.config = config
        self.logger = logger
        let node = config.node.isEmpty ? "hub-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) : config.node
        self.node = node
        let sessions = SessionSettings(config: config, node: node, verifier: verifier, store: store)
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
    }

    /// Starts every loop on a thread of its own.
    func start() {
        for loop in loops {
            let thread = Thread { [self] in
                status.setLoop(loop.index, .running)
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
        let stream = AdminStream(server: self, interval: config.adminInterval)
        stream.start()
        adminStream.withLock { $0 = stream }
        watchRevocations()
    }

    /// Polls the verifier's revocation stamp twice a second; when it moves (a `hub token revoke`
    /// in any process), every loop re-checks its sessions' tokens, so a revoked token's live
    /// connections close with 4401 within a second. The first poll re-checks too: a revocation
    /// between the start and that first reading would otherwise become the baseline, unnoticed.
    private func watchRevocations() {
        final class LastStamp: Sendable { let value = Mutex<Int64?>(nil) }
        let last = LastStamp()
        let verifier = self.verifier, loops = self.loops, record = status.revocationWatch
        let timer = RepeatingTimer(label: "hub.revocations", interval: Self.revocationPollInterval) {
            Task.onHub {
                let stamp = await verifier.revocationStamp()
                record.ran()
                let changed = last.value.withLock { l -> Bool in
                    defer { l = stamp }
                    return l != stamp
                }
                if changed { for loop in loops { loop.post(.run { $0.recheckTokens() }) } }
            }
        }
        revocationWatch.withLock { $0 = timer }
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
        adminStream.withLock { $0?.stop(); $0 = nil }
        revocationWatch.withLock { $0?.cancel(); $0 = nil }
        for loop in loops { loop.post(.shutdown) }
        if allDone.wait(timeout: .now() + config.drainTimeout) == .timedOut {
            logger.warning("drain_timeout", [("open", .int(connectionCount))])
            for loop in loops { loop.post(.forceClose) }
            allDone.wait()
        }
        allDone.signal()  // later callers return at once
    }
}

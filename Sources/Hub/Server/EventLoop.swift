import Broadcast
import CHubSys
import Foundation
import Glibc
import Synchronization
import WSProtocol

/// One epoll loop on a thread of its own, owning its listener and its connections
/// (ARCHITECTURE.md §1). Nothing but `post` may be called from another thread: the mailbox is a
/// mutex-guarded array plus an eventfd that wakes `epoll_wait`.
final class EventLoop: BusSink, @unchecked Sendable {
    let index: Int
    let config: ServerTuning
    let router: Router
    let logger: Logger
    let metrics: ServerMetrics
    /// Cached monotonic time of the current turn, in ms.
    private(set) var now: UInt64

    private let epfd: Int32
    private let wakeFd: Int32
    private var listenFd: Int32
    private let mailbox = Mutex<[LoopTask]>([])
    private var connections: [Connection?] = []
    private var generations: [UInt32] = []
    private var byID: [UInt64: Connection] = [:]
    private(set) var connectionCount = 0
    private var nextConnectionSerial: UInt64 = 0
    private var flushList: [Connection] = []
    private var timers: TimerWheel<Connection>
    private var dueTimers: [(Connection, UInt32)] = []
    /// Publish times (ns) of the publications fanned out this turn, measured after the flush.
    private var fannedOutNs: [UInt64] = []
    /// Connections whose fan-out pushes wait for the coalescing window, and when it opened.
    private var deferredList: [Connection] = []
    private var deferredSinceMs: UInt64 = 0
    /// The other loops of the server (set before the loops run), for admin views across loops.
    var peers: [EventLoop] = []
    private var deflaters: [Int: Deflater] = [:]
    private var draining = false
    private var stopped = false
    private var acceptPausedUntil: UInt64 = 0
    private let liveConnections: Atomic<Int>
    /// This loop's way into the bus (set by the server before the loop runs).
    var busPort: BusPort!
    /// Topic → this loop's connections subscribed to it.
    private var subscriptions: [String: LocalTopic] = [:]
    /// Messages shorter than this are pushed uncompressed on `/ws*`.
    private let pushDeflateThreshold: Int

    private let readBufferSize = 256 * 1024
    private let readBuffer: UnsafeMutableRawPointer
    private let iovCapacity = 256
    private let iov: UnsafeMutablePointer<iovec>
    private let events: UnsafeMutablePointer<epoll_event>
    private let eventCapacity = 512

    private static let listenerToken: UInt64 = .max
    private static let wakeToken: UInt64 = .max - 1

    init(index: Int, listenFd: Int32, config: ServerTuning, router: Router, logger: Logger, metrics: ServerMetrics,
         pushDeflateThreshold: Int = 128) throws(Socket.SocketError) {
        self.index = index
        self.listenFd = listenFd
        self.config = config
        self.router = router
        self.logger = logger
        self.metrics = metrics
        self.liveConnections = Atomic<Int>(0)
        self.pushDeflateThreshold = pushDeflateThreshold
        self.now = MonotonicClock.nowMs()
        self.timers = TimerWheel(now: now)
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw Socket.SocketError(operation: "epoll_create1", code: errno) }
        wakeFd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFd >= 0 else { throw Socket.SocketError(operation: "eventfd", code: errno) }
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        iov = .allocate(capacity: iovCapacity)
        events = .allocate(capacity: eventCapacity)
        addToEpoll(wakeFd, token: Self.wakeToken, events: EPOLLIN.rawValue)
        addToEpoll(listenFd, token: Self.listenerToken, events: EPOLLIN.rawValue)
    }

    deinit {
        readBuffer.deallocate()
        iov.deallocate()
        events.deallocate()
        Glibc.close(epfd)
        Glibc.close(wakeFd)
    }

    /// Connections this loop holds (readable from any thread).
    var liveConnectionCount: Int { liveConnections.load(ordering: .relaxed) }

    /// Hands `task` to the loop thread and wakes it. Only the post that finds the mailbox empty
    /// writes the eventfd: the loop takes the whole mailbox at once, so one wake-up serves a
    /// burst of posts (a busy bus costs one syscall per loop turn, not one per publication).
    func post(_ task: LoopTask) {
        let wasEmpty = mailbox.withLock { box -> Bool in
            box.append(task)
            return box.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFd, &one, 8)
        }
    }

    /// The bus's deliveries, from a shard's isolation: straight into the mailbox.
    func busDeliver(_ event: BusEvent) {
        post(.bus(event))
    }

    // MARK: - The loop

    /// Runs until the drain finishes. Call on the loop's own thread.
    func run() {
        while !stopped {
            let t = MonotonicClock.nowMs()
            var timeout = max(1, timers.msUntilNextTick(now: t))
            if !deferredList.isEmpty {
                let due = deferredSinceMs + config.pushCoalesceMs
                timeout = due > t ? min(timeout, Int(due - t)) : 0
            }
            let n = epoll_wait(epfd, events, Int32(eventCapacity), Int32(timeout))
            now = MonotonicClock.nowMs()
            if n < 0 {
                if errno == EINTR { continue }
                logger.error("epoll_wait_failed", [("loop", .int(index)), ("errno", .int(Int(errno)))])
                break
            }
            for i in 0..<Int(n) {
                let ev = events[i]
                let token = ev.data.u64
                if token == Self.listenerToken {
                    acceptConnections()
                } else if token == Self.wakeToken {
                    drainMailbox()
                } else {
                    handle(token: token, events: ev.events)
                }
            }
            flushPending()
            if !deferredList.isEmpty && now >= deferredSinceMs + config.pushCoalesceMs { flushDeferred() }
            if !fannedOutNs.isEmpty {
                let t = MonotonicClock.nowNs()
                for ns in fannedOutNs { metrics.publishToWrite.record(micros: Int((t &- ns) / 1000)) }
                fannedOutNs.removeAll(keepingCapacity: true)
            }
            timers.advance(to: now, into: &dueTimers)
            for (connection, generation) in dueTimers { connection.timerFired(generation: generation, now: now) }
            dueTimers.removeAll(keepingCapacity: true)
            flushPending()
            if acceptPausedUntil != 0 && now >= acceptPausedUntil && !draining {
                acceptPausedUntil = 0
                addToEpoll(listenFd, token: Self.listenerToken, events: EPOLLIN.rawValue)
            }
            if draining && connectionCount == 0 { stopped = true }
        }
        if listenFd >= 0 {
            Glibc.close(listenFd)
            listenFd = -1
        }
    }

    private func handle(token: UInt64, events: UInt32) {
        let fd = Int(token & 0xFFFF_FFFF)
        let generation = UInt32(token >> 32)
        guard fd < connections.count, let c = connections[fd], generations[fd] == generation else { return }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            c.closeNow()
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush(c)
            if c.isClosed { return }
        }
        if events & EPOLLIN.rawValue != 0 && !c.readPaused {
            readAvailable(c)
        }
    }

    private func readAvailable(_ c: Connection) {
        // A few reads per wake-up, so one busy socket cannot starve the others.
        for _ in 0..<4 {
            let n = Glibc.read(c.fd, readBuffer, readBufferSize)
            if n > 0 {
                c.lastReceivedMs = now
                c.bytesIn += n
                c.received(UnsafeMutableRawBufferPointer(start: readBuffer, count: n))
                if c.isClosed { return }
                if c.outbound.pendingBytes > config.readPauseBytes {
                    pauseReading(c)
                    return
                }
                if n < readBufferSize { return }
            } else if n == 0 {
                c.peerClosed()
                return
            } else {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { return }
                c.closeNow()
                return
            }
        }
    }

    private func acceptConnections() {
        for _ in 0..<256 {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    chubsys_accept4(listenFd, $0, &len, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return }
                if e == ECONNABORTED { continue }
                metrics.acceptErrors.add(1, ordering: .relaxed)
                if e == EMFILE || e == ENFILE {
                    // Out of descriptors: stop accepting for a moment instead of spinning on a
                    // listener that stays readable.
                    logger.warning("accept_paused", [("loop", .int(index)), ("reason", "out of file descriptors")])
                    epoll_ctl(epfd, EPOLL_CTL_DEL, listenFd, nil)
                    acceptPausedUntil = now + 100
                } else {
                    logger.warning("accept_failed", [("loop", .int(index)), ("errno", .int(Int(e)))])
                }
                return
            }
            if config.maxConnections > 0 && metrics.open.load(ordering: .relaxed) >= config.maxConnections {
                metrics.refusedOverLimit.add(1, ordering: .relaxed)
                Glibc.close(fd)
                continue
            }
            Socket.setNoDelay(fd)
            register(fd: fd, remote: Socket.describe(&storage))
        }
    }

    private func register(fd: Int32, remote: String) {
        let slot = Int(fd)
        if slot >= connections.count {
            let grow = max(slot + 1, connections.count * 2, 64)
            connections.append(contentsOf: repeatElement(nil, count: grow - connections.count))
            generations.append(contentsOf: repeatElement(0, count: grow - generations.count))
        }
        generations[slot] &+= 1
        nextConnectionSerial += 1
        // Serial in the high bits, loop index (0…255) in the low byte: ids stay short and unique.
        let id = nextConnectionSerial << 8 | UInt64(index)
        let c = Connection(fd: fd, id: id, remoteAddress: remote, loop: self, now: now)
        c.slotGeneration = generations[slot]
        connections[slot] = c
        byID[id] = c
        connectionCount += 1
        liveConnections.add(1, ordering: .relaxed)
        metrics.connectionAccepted()
        addToEpoll(fd, token: UInt64(c.slotGeneration) << 32 | UInt64(UInt32(fd)), events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        c.rescheduleTimer()
    }

    /// Every loop of the server, this one included.
    var allLoops: [EventLoop] { peers.isEmpty ? [self] : peers }

    /// The admin view of this loop's WebSocket connections (on the loop thread).
    func connectionInfos() -> [ConnectionInfo] {
        byID.values.compactMap { c in
            guard c.phase == .webSocket, let endpoint = c.endpoint else { return nil }
            let session = c.handler as? Session
            return ConnectionInfo(
                client: session?.identity.client ?? Session.clientName(c.id), user: session?.identity.user,
                endpoint: endpoint.name, address: c.remoteAddress, ageSeconds: Int((now - c.acceptedMs) / 1000),
                bytesIn: c.bytesIn, bytesOut: c.bytesOut, topics: session?.topics.count ?? 0)
        }
    }

    /// This loop's numbers for the admin stream (on the loop thread).
    func snapshot() -> LoopSnapshot {
        LoopSnapshot(index: index, connections: connectionCount, mailboxDepth: mailbox.withLock { $0.count },
                     queuedBytes: byID.values.reduce(0) { $0 + $1.outbound.pendingBytes })
    }

    /// Bytes in and out of this loop's open connections.
    func ioTotals() -> (bytesIn: Int, bytesOut: Int) {
        byID.values.reduce((0, 0)) { ($0.0 + $1.bytesIn, $0.1 + $1.bytesOut) }
    }

    /// Closes the connection whose public name is `client` (4403), if it is here.
    func kick(client: String, by operatorName: String) -> Bool {
        guard let c = byID.values.first(where: { ($0.handler as? Session)?.identity.client == client }) else { return false }
        logger.info("kicked", [("client", .string(client)), ("by", .string(operatorName))])
        c.close(.forbidden, reason: "kicked by an operator")
        return true
    }

    /// Tokens were revoked: every authenticated session checks its token again.
    func recheckTokens() {
        for c in byID.values { (c.handler as? Session)?.recheckToken(c) }
    }

    /// The open connection with `id`, if it is on this loop.
    func connection(id: UInt64) -> Connection? { byID[id] }

    /// The idle-connection reaper's sweep: every connection whose handshake, idle, ping or close
    /// deadline passed more than `graceMs` ago gets its deadline enforced now. Each connection's
    /// timer in the wheel normally does this at the deadline; the sweep is the backstop that
    /// makes a lost timer cost seconds, not a leaked socket. Returns how many it found.
    @discardableResult
    func reapOverdue(graceMs: UInt64) -> Int {
        var found = 0
        for case let c? in connections where c.isOverdue(now: now, graceMs: graceMs) {
            found += 1
            c.enforceDeadlines(now: now)
        }
        if found > 0 {
            metrics.reaped.add(found, ordering: .relaxed)
            logger.warning("reaped_overdue_connections", [("loop", .int(index)), ("count", .int(found))])
        }
        return found
    }

    /// Forgets a connection (its socket is being closed).
    func unregister(_ c: Connection) {
        let slot = Int(c.fd)
        guard slot < connections.count, connections[slot] === c else { return }
        connections[slot] = nil
        byID[c.id] = nil
        connectionCount -= 1
        liveConnections.subtract(1, ordering: .relaxed)
        metrics.connectionClosed()
    }

    // MARK: - Writing

    /// Marks `c` to be flushed at the end of this turn: all frames queued during one turn leave in
    /// one `writev` (corking).
    func scheduleFlush(_ c: Connection) {
        guard !c.needsFlush else { return }
        c.needsFlush = true
        flushList.append(c)
    }

    /// Marks `c` to be flushed when the coalescing window closes (at the end of this turn when
    /// there is no window). A reply to `c` in the meantime flushes its pushes with it.
    func scheduleDeferredFlush(_ c: Connection) {
        guard config.pushCoalesceMs > 0 else { return scheduleFlush(c) }
        guard !c.needsDeferredFlush else { return }
        if deferredList.isEmpty { deferredSinceMs = now }
        c.needsDeferredFlush = true
        deferredList.append(c)
    }

    private func flushDeferred() {
        let list = deferredList
        deferredList.removeAll(keepingCapacity: true)
        for c in list {
            c.needsDeferredFlush = false
            if !c.isClosed && c.outbound.pendingBytes > 0 { flush(c) }
        }
    }

    private func flushPending() {
        while !flushList.isEmpty {
            let list = flushList
            flushList.removeAll(keepingCapacity: true)
            for c in list {
                c.needsFlush = false
                if !c.isClosed { flush(c) }
            }
        }
    }

    /// Writes what `c`'s socket takes now, without waiting for the end of the turn (a queue over
    /// its limit is judged on what the socket would not take).
    func flushNow(_ c: Connection) {
        if !c.isClosed { flush(c) }
    }

    private func flush(_ c: Connection) {
        switch c.outbound.flush(fd: c.fd, iov: iov, iovCapacity: iovCapacity) {
        case .done:
            if c.wantsWritable { setInterest(c, writable: false) }
            if c.readPaused {
                c.readPaused = false
                setInterest(c, writable: false)
            }
            c.didDrain()
        case .wouldBlock:
            if !c.wantsWritable { setInterest(c, writable: true) }
        case .failed:
            c.closeNow()
        }
    }

    /// Stops reading `c` until its queue drains (backpressure, or a peer that sent its FIN).
    func pauseReading(_ c: Connection) {
        c.readPaused = true
        setInterest(c, writable: true)
    }

    private func setInterest(_ c: Connection, writable: Bool) {
        c.wantsWritable = writable
        // EPOLLRDHUP only while reading: it stays raised after the peer's FIN, and a paused
        // connection that is still draining would otherwise wake every epoll_wait.
        var mask: UInt32 = 0
        if !c.readPaused { mask |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if writable || c.readPaused { mask |= EPOLLOUT.rawValue }
        var ev = epoll_event()
        ev.events = mask
        ev.data.u64 = UInt64(c.slotGeneration) << 32 | UInt64(UInt32(c.fd))
        epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev)
    }

    private func addToEpoll(_ fd: Int32, token: UInt64, events: UInt32) {
        var ev = epoll_event()
        ev.events = events
        ev.data.u64 = token
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
    }

    // MARK: - Timers, compression, mailbox

    /// Schedules a connection's timer.
    func schedule(_ c: Connection, generation: UInt32, due: UInt64) {
        timers.schedule(c, generation: generation, due: due)
    }

    /// The loop's deflater for a window size. With `server_no_context_takeover` always negotiated,
    /// a deflater holds no state between messages, so one per window size serves every connection
    /// of the loop (ARCHITECTURE.md §3) instead of ~256 KiB of zlib state per connection.
    func deflater(windowBits: Int) -> Deflater {
        if let d = deflaters[windowBits] { return d }
        let d = Deflater(windowBits: windowBits)
        deflaters[windowBits] = d
        return d
    }

    private func drainMailbox() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFd, &value, 8)
        let tasks = mailbox.withLock { box -> [LoopTask] in
            let t = box
            box.removeAll()
            return t
        }
        for task in tasks {
            switch task {
            case .shutdown: beginDrain()
            case .forceClose:
                for c in connections.compactMap({ $0 }) { c.closeNow() }
                draining = true
            case .run(let body): body(self)
            case .bus(let event): handleBus(event)
            }
        }
    }

    // MARK: - Bus events and local subscriptions

    private func handleBus(_ event: BusEvent) {
        switch event {
        case .publication(let p):
            fanOut(p)
        case .subscribed(let outcome):
            guard let c = byID[outcome.subscriber], let session = c.handler as? Session else { return }
            session.subscribed(outcome, c)
        case .presence(let e):
            guard let local = subscriptions[e.topic], !local.isEmpty else { return }
            let frame = PushFrames.presence(e)
            for c in local.connections { c.sendEncoded(frame) }
        }
    }

    /// One publication to every local subscriber: encoded once (and compressed at most once per
    /// window size) for the whole loop; each subscriber costs a reference in its queue.
    private func fanOut(_ p: Publication) {
        guard let local = subscriptions[p.topic], !local.isEmpty else { return }
        let plain = PushFrames.publication(p)
        metrics.frameEncoded()
        let compress = PushFrames.payloadCount(plain) >= pushDeflateThreshold
        var compressed: [Int: OutboundBytes] = [:]
        for c in local.connections {
            if compress, let d = c.deflate {
                let bits = d.serverMaxWindowBits
                if let frame = compressed[bits] {
                    c.sendPush(frame)
                } else {
                    let frame = PushFrames.compressed(plain, deflater: deflater(windowBits: bits))
                    metrics.deflateCall()
                    compressed[bits] = frame
                    c.sendPush(frame)
                }
            } else {
                c.sendPush(plain)
            }
        }
        metrics.delivered(local.count)
        fannedOutNs.append(p.timeNs)
    }

    func isLocal(_ c: Connection, _ topic: String) -> Bool { subscriptions[topic]?.contains(c.id) ?? false }

    func addLocal(_ c: Connection, to topic: String) {
        subscriptions[topic, default: LocalTopic()].insert(c)
    }

    func removeLocal(_ c: Connection, from topic: String) {
        guard var local = subscriptions[topic] else { return }
        local.remove(c.id)
        subscriptions[topic] = local.isEmpty ? nil : local
    }

    private func beginDrain() {
        guard !draining else { return }
        draining = true
        epoll_ctl(epfd, EPOLL_CTL_DEL, listenFd, nil)
        Glibc.close(listenFd)
        listenFd = -1
        for c in connections.compactMap({ $0 }) {
            if c.phase == .webSocket {
                c.close(.goingAway, reason: "server shutting down")
            } else {
                c.closeNow()
            }
        }
    }
}

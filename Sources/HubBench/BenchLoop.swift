import CHubSys
import Glibc
import WSProtocol

/// A client connection still to be opened (at start, or again after a churn disconnect).
struct PendingOpen {
    var id: Int
    var role: Role
    var path: String
    var tracker: Tracker?
    var quota: Int
    var dueNs: UInt64
}

/// One epoll loop on its own thread, driving many client sockets (the bench's counterpart of the
/// hub's EventLoop). Only `stats` and `shared` are touched by other threads while it runs.
final class BenchLoop: @unchecked Sendable {
    let index: Int
    let options: Options
    let shared: Shared
    let stats = LoopStats()
    let epfd: Int32
    var now: UInt64

    // Sockets.
    private var clients: [Client?] = []
    private var generations: [UInt32] = []
    private var pending: [PendingOpen] = []
    private var pendingHead = 0
    private var delayed: [PendingOpen] = []
    /// Sockets opened but not yet ready (connect, handshake, welcome, subscribe in flight).
    var inProgress = 0
    private var flushList: [Client] = []
    private let dest: sockaddr_in
    private let sourceAddresses: [UInt32]
    private let readBufferSize = 256 * 1024
    private let readBuffer: UnsafeMutableRawPointer
    private let eventCapacity = 1024
    private let events: UnsafeMutablePointer<epoll_event>
    private var rng: UInt64

    // Mode state and results (read by the main thread after the loop ended).
    var publishers: [Client] = []
    var subscribers: [Client] = []
    var trackers: [Tracker] = []
    var echoClients: [Client] = []
    var histogram = Histogram()
    var lastReceiveNs: UInt64 = 0
    var lastAckNs: UInt64 = 0
    var failures: [String: Int] = [:]
    var closeCodes: [Int: Int] = [:]
    var publishErrors: [String: Int] = [:]
    var errorPushes = 0
    var presencePushes = 0
    var foreignPushes = 0
    var seqErrors = 0
    var echoMismatches = 0
    var deflateNegotiated = 0
    /// Compressed single-frame messages inflated, and those answered from `inflatedByPayload`.
    var inflations = 0
    var inflationsShared = 0
    /// Recent compressed payloads and what they inflate to. With server_no_context_takeover every
    /// message inflates on its own, so equal compressed bytes (the dictionary compares them byte
    /// for byte) inflate to equal text: one fan-out publication is inflated once per bench loop,
    /// not once per subscriber. A fleet of real clients inflates on as many CPUs; inflating 1,000
    /// copies on one bench core measured the bench, not the hub (issue 6, deflate target).
    /// Keyed by a fast 64-bit hash (Swift's Hasher takes an array byte by byte: it was half of the
    /// bench's CPU); a hit is confirmed byte for byte against the stored compressed payload.
    private var inflatedByPayload: [UInt64: (payload: [UInt8], text: [UInt8])] = [:]
    var lastOpenNs: UInt64 = 0
    var churnClosed = 0
    private var lastCompletionCheck: UInt64 = 0
    var scratch: [UInt8] = []
    var echoScratch: [UInt8] = []

    init(index: Int, options: Options, shared: Shared, seed: UInt64) {
        self.index = index
        self.options = options
        self.shared = shared
        now = Sys.nowNs()
        rng = seed | 1
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        events = .allocate(capacity: eventCapacity)
        var d = sockaddr_in()
        d.sin_family = sa_family_t(AF_INET)
        d.sin_port = UInt16(options.port).bigEndian
        d.sin_addr.s_addr = Sys.ipv4(options.host)!
        dest = d
        sourceAddresses = (0..<options.sources).map { Sys.ipv4("127.0.0.\($0 + 1)")! }
        scratch.reserveCapacity(max(256, options.size + 256))
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        close(epfd)
    }

    @inline(__always)
    func random() -> UInt64 {
        rng ^= rng >> 12
        rng ^= rng << 25
        rng ^= rng >> 27
        return rng &* 0x2545_F491_4F6C_DD1D
    }

    func enqueue(_ p: PendingOpen) {
        if let t = p.tracker { trackers.append(t) }
        pending.append(p)
    }

    func fail(_ reason: String) {
        failures[reason, default: 0] += 1
        stats.failed.add(1, ordering: .relaxed)
    }

    // MARK: - The loop

    func run() {
        while true {
            let phase = shared.currentPhase
            if phase == .stop { break }
            startConnects()
            let timeout: Int32 = options.rate > 0 && phase == .run ? 1 : 5
            let n = epoll_wait(epfd, events, Int32(eventCapacity), timeout)
            now = Sys.nowNs()
            if n < 0 && errno != EINTR { fail("epoll_wait: \(Sys.errorText(errno))"); break }
            for i in 0..<max(0, Int(n)) {
                let ev = events[i]
                handle(token: ev.data.u64, events: ev.events)
            }
            now = Sys.nowNs()
            // The phase again: the main thread waits for every loop to have seen a change
            // (`seenPhase`) before it trusts the counters of the previous phase.
            let current = shared.currentPhase
            tick(current)
            stats.seenPhase.store(current.rawValue, ordering: .releasing)
            flushPending()
        }
        for case let c? in clients where c.state != .closed { close(c.fd); c.state = .closed }
        stats.open.store(0, ordering: .relaxed)
    }

    private func startConnects() {
        if !delayed.isEmpty {
            var i = 0
            while i < delayed.count {
                if delayed[i].dueNs <= now { pending.append(delayed[i]); delayed.swapAt(i, delayed.count - 1); delayed.removeLast() } else { i += 1 }
            }
        }
        while pendingHead < pending.count && inProgress < options.connectConcurrency {
            let p = pending[pendingHead]
            pendingHead += 1
            open(p)
        }
        if pendingHead == pending.count && pendingHead > 0 {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
    }

    /// Schedules an open `delayNs` from now (churn reconnects).
    func reopenLater(_ p: PendingOpen, delayNs: UInt64) {
        var q = p
        q.dueNs = now + delayNs
        delayed.append(q)
    }

    private func open(_ p: PendingOpen) {
        let source = sourceAddresses[p.id % sourceAddresses.count]
        let fd = Sys.startConnect(source: source, dest: dest)
        if fd < 0 {
            fail("connect: \(Sys.errorText(-fd))")
            return
        }
        let slot = Int(fd)
        if slot >= clients.count {
            let grow = max(slot + 1, clients.count * 2, 1024)
            clients.append(contentsOf: repeatElement(nil, count: grow - clients.count))
            generations.append(contentsOf: repeatElement(0, count: grow - generations.count))
        }
        generations[slot] &+= 1
        let token = UInt64(generations[slot]) << 32 | UInt64(UInt32(fd))
        let c = Client(fd: fd, token: token, id: p.id, role: p.role, path: p.path)
        c.tracker = p.tracker
        c.quota = p.quota
        clients[slot] = c
        inProgress += 1
        stats.open.add(1, ordering: .relaxed)
        switch p.role {
        case .publisher: publishers.append(c)
        case .subscriber: subscribers.append(c)
        case .echo: echoClients.append(c)
        case .idle: break
        }
        var ev = epoll_event()
        ev.events = EPOLLOUT.rawValue | EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        ev.data.u64 = token
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
        c.wantsWrite = true
    }

    private func handle(token: UInt64, events: UInt32) {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < clients.count, let c = clients[slot], c.token == token, c.state != .closed else { return }
        if c.state == .connecting {
            if events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) == 0 { return }
            let err = Sys.socketError(c.fd)
            if err != 0 || events & EPOLLERR.rawValue != 0 {
                closeClient(c, failure: "connect: \(Sys.errorText(err == 0 ? ECONNREFUSED : err))")
                return
            }
            sendHandshake(c)
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush(c)
            if c.state == .closed { return }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable(c)
        }
    }

    private func readAvailable(_ c: Client) {
        for _ in 0..<8 {
            let n = read(c.fd, readBuffer, readBufferSize)
            if n > 0 {
                now = Sys.nowNs()
                received(c, UnsafeMutableRawBufferPointer(start: readBuffer, count: n))
                if c.state == .closed || n < readBufferSize { return }
            } else if n == 0 {
                closeClient(c, failure: c.ready ? "closed by hub (EOF)" : "EOF before ready")
                return
            } else {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { return }
                closeClient(c, failure: "read: \(Sys.errorText(e))")
                return
            }
        }
    }

    // MARK: - Handshake

    private func sendHandshake(_ c: Client) {
        var keyBytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { keyBytes[i] = UInt8(truncatingIfNeeded: random() >> 24) }
        c.key = Base64.encode(keyBytes)
        var req = "GET \(c.path) HTTP/1.1\r\nHost: \(options.host):\(options.port)\r\nUpgrade: websocket\r\n"
        req += "Connection: Upgrade\r\nSec-WebSocket-Key: \(c.key)\r\nSec-WebSocket-Version: 13\r\n"
        if options.deflate { req += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" }
        req += "\r\n"
        var bytes = Array(req.utf8)
        bytes.withUnsafeMutableBytes { c.out.append(UnsafeRawBufferPointer($0)) }
        c.state = .handshaking
        flush(c)
    }

    private func received(_ c: Client, _ chunk: UnsafeMutableRawBufferPointer) {
        if c.state == .handshaking {
            c.head.append(contentsOf: chunk)
            guard let end = headEnd(c.head) else {
                if c.head.count > 16384 { closeClient(c, failure: "handshake: response head too large") }
                return
            }
            guard checkResponse(c, Array(c.head[0..<end])) else { return }
            c.state = .open
            var rest = Array(c.head[(end + 4)...])
            c.head = []
            opened(c)
            if c.state == .closed || rest.isEmpty { return }
            rest.withUnsafeMutableBytes { frames($0, c) }
            return
        }
        frames(chunk, c)
    }

    private func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    /// Checks the 101 and Sec-WebSocket-Accept; notes permessage-deflate.
    private func checkResponse(_ c: Client, _ head: [UInt8]) -> Bool {
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let status = lines.first, status.hasPrefix("HTTP/1.1 101") else {
            let code = lines.first.map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "?" } ?? "?"
            closeClient(c, failure: "handshake: HTTP \(code)")
            return false
        }
        var accept: String?
        var extensions: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            if name == "sec-websocket-accept" { accept = value }
            if name == "sec-websocket-extensions" { extensions = (extensions.map { $0 + ", " } ?? "") + value }
        }
        guard accept == WebSocketHandshake.acceptKey(for: c.key) else {
            closeClient(c, failure: "handshake: bad Sec-WebSocket-Accept")
            return false
        }
        if let ext = extensions?.lowercased(), ext.contains("permessage-deflate") {
            guard options.deflate else {
                closeClient(c, failure: "handshake: deflate not offered but accepted")
                return false
            }
            // The hub's window is at most 15 bits; a 15-bit inflater reads any smaller window.
            let params = ext.split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingSpaces }
            c.inflater = Inflater(windowBits: 15)
            c.noContextTakeover = params.contains("server_no_context_takeover")
            deflateNegotiated += 1
        }
        return true
    }

    // MARK: - Frames

    private func frames(_ chunk: UnsafeMutableRawBufferPointer, _ c: Client) {
        var input = chunk
        while c.state == .open {
            switch c.parser.next(&input) {
            case .needMore: return
            case .failed(let e):
                closeClient(c, failure: "frame: \(e)")
                return
            case .chunk(let h, let bytes, let first, let last):
                frameChunk(c, h, bytes, first: first, last: last)
            }
        }
    }

    private func frameChunk(_ c: Client, _ h: WebSocketFrameHeader, _ bytes: UnsafeMutableRawBufferPointer, first: Bool, last: Bool) {
        let op = h.opcode
        if op.isControl {
            if first && last {
                control(c, op, UnsafeRawBufferPointer(bytes))
            } else {
                if first { c.control.removeAll(keepingCapacity: true) }
                c.control.append(contentsOf: bytes)
                if last {
                    let copy = c.control
                    copy.withUnsafeBytes { control(c, op, $0) }
                }
            }
            return
        }
        if first {
            if op == .continuation {
                guard c.inMessage else { closeClient(c, failure: "frame: continuation without a message"); return }
            } else {
                guard !c.inMessage else { closeClient(c, failure: "frame: new message inside a fragmented one"); return }
                c.inMessage = true
                c.messageCompressed = h.rsv1
                c.message.clear()
                c.inflated.removeAll(keepingCapacity: true)
            }
        }
        let end = last && h.fin
        if c.messageCompressed && first && end && c.noContextTakeover {
            let raw = UnsafeRawBufferPointer(bytes)
            let key = Self.payloadHash(raw)
            c.inMessage = false
            if let shared = inflatedByPayload[key], shared.payload.count == raw.count,
               shared.payload.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) }) == 0 {
                inflationsShared += 1
                shared.text.withUnsafeBytes { deliver(c, $0) }
                return
            }
            guard let inflater = c.inflater else { closeClient(c, failure: "frame: RSV1 without deflate"); return }
            do {
                try inflater.inflate(raw, into: &c.inflated, limit: 64 << 20)
                try inflater.finishMessage(into: &c.inflated, limit: 64 << 20, noContextTakeover: true)
            } catch {
                closeClient(c, failure: "inflate: \(error)")
                return
            }
            inflations += 1
            if inflatedByPayload.count >= 256 { inflatedByPayload.removeAll(keepingCapacity: true) }
            inflatedByPayload[key] = (Array(raw), c.inflated)
            let m = c.inflated
            m.withUnsafeBytes { deliver(c, $0) }
            return
        }
        if c.messageCompressed {
            guard let inflater = c.inflater else { closeClient(c, failure: "frame: RSV1 without deflate"); return }
            do {
                try inflater.inflate(UnsafeRawBufferPointer(bytes), into: &c.inflated, limit: 64 << 20)
                if end { try inflater.finishMessage(into: &c.inflated, limit: 64 << 20, noContextTakeover: c.noContextTakeover) }
            } catch {
                closeClient(c, failure: "inflate: \(error)")
                return
            }
            if end {
                c.inMessage = false
                let m = c.inflated
                m.withUnsafeBytes { deliver(c, $0) }
            }
        } else if end && c.message.isEmpty {
            c.inMessage = false
            deliver(c, UnsafeRawBufferPointer(bytes))
        } else {
            c.message.append(UnsafeRawBufferPointer(bytes))
            if end {
                c.inMessage = false
                deliver(c, UnsafeRawBufferPointer(start: c.message.readPointer, count: c.message.count))
                c.message.clear()
            }
        }
    }

    /// A 64-bit multiply-xorshift hash, eight bytes a step (not cryptographic: hits are compared).
    static func payloadHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        while i < bytes.count {
            h = (h ^ UInt64(bytes[i])) &* 0xC4CE_B9FE_1A85_EC53
            i += 1
        }
        return h ^ (h >> 29)
    }

    private func control(_ c: Client, _ op: WebSocketOpcode, _ payload: UnsafeRawBufferPointer) {
        if op == .ping {
            c.queueFrame(.pong, payload, maskKey: UInt32(truncatingIfNeeded: random()))
            scheduleFlush(c)
        } else if op == .close {
            let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 1005
            closeCodes[code, default: 0] += 1
            let reason = payload.count > 2 ? String(decoding: UnsafeRawBufferPointer(rebasing: payload[2...]), as: UTF8.self) : ""
            c.queueFrame(.close, UnsafeRawBufferPointer(rebasing: payload[0..<min(2, payload.count)]), maskKey: UInt32(truncatingIfNeeded: random()))
            flush(c)
            closeClient(c, failure: "closed by hub: \(code)\(reason.isEmpty ? "" : " \(reason)")")
        }
    }

    // MARK: - Writing and closing

    func scheduleFlush(_ c: Client) {
        guard !c.needsFlush else { return }
        c.needsFlush = true
        flushList.append(c)
    }

    private func flushPending() {
        guard !flushList.isEmpty else { return }
        let list = flushList
        flushList.removeAll(keepingCapacity: true)
        for c in list {
            c.needsFlush = false
            if c.state != .closed { flush(c) }
        }
    }

    private func flush(_ c: Client) {
        while !c.out.isEmpty {
            let n = write(c.fd, c.out.readPointer, c.out.count)
            if n > 0 {
                c.out.consume(n)
            } else {
                let e = errno
                if n < 0 && e == EINTR { continue }
                if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                    if !c.wantsWrite { setInterest(c, writable: true) }
                    return
                }
                closeClient(c, failure: "write: \(Sys.errorText(e))")
                return
            }
        }
        if c.wantsWrite && c.state != .connecting { setInterest(c, writable: false) }
    }

    private func setInterest(_ c: Client, writable: Bool) {
        c.wantsWrite = writable
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        ev.data.u64 = c.token
        epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev)
    }

    /// Closes the socket; `failure` is counted unless nil (a close the bench chose).
    func closeClient(_ c: Client, failure: String?) {
        guard c.state != .closed else { return }
        let wasReady = c.ready
        c.state = .closed
        close(c.fd)
        if Int(c.fd) < clients.count, clients[Int(c.fd)] === c { clients[Int(c.fd)] = nil }
        stats.open.subtract(1, ordering: .relaxed)
        if !wasReady { inProgress -= 1 }
        if let failure { fail(failure) }
        closed(c, wasReady: wasReady, expected: failure == nil)
    }

    /// Marks a client ready (handshake done and, where it applies, subscribed).
    func markReady(_ c: Client) {
        guard !c.ready else { return }
        c.ready = true
        inProgress -= 1
        lastOpenNs = now
        stats.ready.add(1, ordering: .relaxed)
    }

    /// Sends a text message on `c` at the end of this turn.
    func sendText(_ c: Client, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { c.queueFrame(.text, $0, maskKey: UInt32(truncatingIfNeeded: random())) }
        scheduleFlush(c)
    }

    // MARK: - Completion (fan-out and churn)

    /// Counts the subscribers that have everything once the target is known (every 20 ms).
    func checkCompletion() {
        let target = shared.target.load(ordering: .relaxed)
        guard target >= 0, now - lastCompletionCheck > 20_000_000 else { return }
        lastCompletionCheck = now
        var done = 0
        for t in trackers {
            if options.mode == .churn {
                if t.lastOffset >= target { done += 1 }
            } else if t.received >= target {
                done += 1
            }
        }
        stats.complete.store(done, ordering: .relaxed)
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

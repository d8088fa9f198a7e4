import Glibc
import WSProtocol

/// One client socket, from the first byte of its HTTP request to `close(2)`.
///
/// Owned by exactly one `EventLoop` and touched only on that loop's thread (ARCHITECTURE.md §1),
/// so nothing here is locked. The life of a connection:
/// `http` (reading the request head, handshake timeout) → `webSocket` (frames; ping and idle
/// timers) → closing (a close frame queued; after it is flushed the write side is shut down and
/// the hub waits, up to the close timeout, for the peer's close or EOF) → `closed`.
final class Connection {
    enum Phase { case http, webSocket, closed }

    /// The socket.
    let fd: Int32
    /// Unique within the process (a per-loop serial, the loop index in the low byte).
    let id: UInt64
    /// `host:port` of the peer, for logs.
    let remoteAddress: String
    /// The loop that owns this connection.
    unowned let loop: EventLoop
    /// The slot generation in the loop's table (guards against fd reuse within one epoll batch).
    var slotGeneration: UInt32 = 0

    private(set) var phase: Phase = .http
    /// What only the HTTP phase needs, boxed so that it costs an open connection 8 bytes, not
    /// ~280 (the head parser, a head waiting for its body, the body): freed at the upgrade.
    private final class HTTPPhase {
        var headParser: HTTPHeadParser
        var pendingHead: HTTPRequestHead?
        var bodyRemaining = 0
        var body: [UInt8] = []
        init(_ parser: HTTPHeadParser) { headParser = parser }
    }
    private var http: HTTPPhase?
    private var reader: WebSocketMessageReader?
    private(set) var endpoint: WebSocketEndpoint?
    private(set) var handler: (any ConnectionHandler)?
    private(set) var deflate: PerMessageDeflateParameters?
    private(set) var subprotocol: String?

    var outbound = OutboundQueue()
    /// Registered for EPOLLOUT (the socket would not take everything).
    var wantsWritable = false
    /// In the loop's list of connections to flush at the end of this turn.
    var needsFlush = false
    /// In the loop's list of connections whose pushes wait for the coalescing window.
    var needsDeferredFlush = false
    /// Reading is paused while too much echo output is queued (backpressure instead of buffering).
    var readPaused = false

    // Closing.
    private(set) var sentClose = false
    private var receivedClose = false
    /// Input after a protocol failure is garbage: read and drop it.
    private var discardInput = false
    /// Shut down the write side once the queue drains (the close frame or HTTP answer is last).
    private var shutdownAfterFlush = false
    private var writeShut = false
    private var closeStartedMs: UInt64 = 0
    /// The peer sent its FIN while output was still queued: finish sending, then close.
    private var peerFinished = false

    // Timers.
    let acceptedMs: UInt64
    var lastReceivedMs: UInt64
    private var pingSentMs: UInt64 = 0
    var timerGeneration: UInt32 = 0
    /// A moment the handler asked to be called at (an auth timeout, a token's expiry).
    private var handlerDeadlineMs: UInt64?

    /// Bytes received and sent, for the admin views.
    var bytesIn = 0
    var bytesOut = 0

    init(fd: Int32, id: UInt64, remoteAddress: String, loop: EventLoop, now: UInt64) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.acceptedMs = now
        self.lastReceivedMs = now
        self.http = HTTPPhase(HTTPHeadParser(maxHeadBytes: loop.config.maxHeadBytes, maxHeaders: loop.config.maxHeaders))
    }

    var isClosed: Bool { phase == .closed }

    // MARK: - Input

    /// Bytes read from the socket (in the loop's read buffer, writable: frames unmask in place).
    func received(_ input: UnsafeMutableRawBufferPointer) {
        var input = input
        if discardInput { return }
        if let http, let head = http.pendingHead {
            // Collecting a request body (Content-Length) before routing.
            let take = min(http.bodyRemaining, input.count)
            http.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<take]))
            http.bodyRemaining -= take
            if http.bodyRemaining == 0 {
                http.pendingHead = nil
                let body = http.body
                http.body = []
                route(head, body: body)
            }
            return
        }
        if phase == .http {
            guard let http else { return }
            let result = http.headParser.feed(UnsafeRawBufferPointer(input))
            switch result {
            case .needMore:
                return
            case .failed(let error):
                loop.metrics.httpRejected(error.status.code)
                respondAndClose(error.response)
                return
            case .complete(let head, let consumed):
                input = UnsafeMutableRawBufferPointer(rebasing: input[consumed...])
                switch Self.bodyLength(head, limit: loop.config.maxBodyBytes) {
                case .failure(let error):
                    respondAndClose(error.response)
                    return
                case .success(let length) where length > 0:
                    http.pendingHead = head
                    http.bodyRemaining = length
                    http.body.reserveCapacity(length)
                    if !input.isEmpty { received(input) }
                    return
                case .success:
                    route(head, body: [])
                }
                if phase != .webSocket || input.isEmpty { return }
            }
        }
        guard phase == .webSocket else { return }
        readFrames(&input)
    }

    private func route(_ head: HTTPRequestHead, body: [UInt8]) {
        switch loop.router.route(head, body: body, remoteAddress: remoteAddress) {
        case .respond(let response):
            respondAndClose(response)
        case .upgrade(let accepted, let endpoint, let info):
            upgrade(accepted, endpoint, info)
        case .deferred(let work):
            // The answer needs the bus: the work replies later, on this loop.
            discardInput = true
            let loop = self.loop, id = self.id
            work(loop) { response in
                loop.post(.run { loop in loop.connection(id: id)?.respondAndClose(response) })
            }
        }
    }

    /// The request body's length from Content-Length (chunked bodies are refused: no route takes
    /// one), bounded by `limit` (413 beyond).
    static func bodyLength(_ head: HTTPRequestHead, limit: Int) -> Result<Int, HTTPError> {
        if head.header("Transfer-Encoding") != nil {
            return .failure(HTTPError(status: HTTPStatus(code: 411, reason: "Length Required"),
                                      message: "chunked request bodies are not supported; send Content-Length"))
        }
        let values = head.headerValues("Content-Length")
        guard let first = values.first else { return .success(0) }
        guard values.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              first.utf8.count <= 12, let n = Int(first) else {
            return .failure(HTTPError(status: .badRequest, message: "invalid Content-Length"))
        }
        if n > limit {
            return .failure(HTTPError(status: HTTPStatus(code: 413, reason: "Content Too Large"),
                                      message: "request body over \(limit) bytes"))
        }
        return .success(n)
    }

    private func upgrade(_ accepted: WebSocketHandshake.Accepted, _ endpoint: WebSocketEndpoint, _ info: HandshakeInfo) {
        http = nil
        self.endpoint = endpoint
        self.deflate = accepted.deflate
        self.subprotocol = accepted.subprotocol
        var inflater: Inflater?
        if let d = accepted.deflate { inflater = Inflater(windowBits: d.clientMaxWindowBits) }
        reader = WebSocketMessageReader(options: .init(
            maxMessageBytes: endpoint.maxMessageBytes, maxFragments: endpoint.maxFragments,
            requireMask: true, inflater: inflater, noContextTakeover: accepted.deflate?.clientNoContextTakeover ?? false))
        phase = .webSocket
        enqueue(OutboundBytes(accepted.responseBytes(extraHeaders: [("Server", HubVersion.serverHeader)])))
        loop.metrics.webSocketOpened(endpoint.name)
        let handler = endpoint.makeHandler(info)
        self.handler = handler
        rescheduleTimer()
        handler.connectionOpened(self)
    }

    private func readFrames(_ input: inout UnsafeMutableRawBufferPointer) {
        while phase == .webSocket, !discardInput {
            guard reader != nil else { return }
            let event = reader!.next(&input)
            switch event {
            case .needMore:
                return
            case .text(let payload):
                if !sentClose { handler?.connection(self, received: .text, payload) }
            case .binary(let payload):
                if !sentClose { handler?.connection(self, received: .binary, payload) }
            case .ping(let payload):
                if !sentClose { sendFrame(.pong, payload) }
            case .pong:
                break
            case .close(let code, _):
                receivedClose = true
                if sentClose {
                    // The peer answered our close: the handshake is complete.
                    closeNow()
                    return
                }
                // Echo the peer's code (§5.5.1); an empty close is answered with an empty one.
                let payload = code.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? []
                sendClose(payload: payload)
                discardInput = true
                return
            case .failed(let error):
                loop.metrics.protocolError()
                loop.logger.debug("ws_protocol_error", [
                    ("conn", .int(Int(truncatingIfNeeded: id))), ("code", .int(Int(error.closeCode.code))),
                    ("reason", .string(error.reason)),
                ])
                close(error.closeCode, reason: error.reason)
                discardInput = true
                return
            }
        }
    }

    /// The peer closed its side (read returned 0). A FIN ends the peer's sending, not its
    /// reading: what is still queued (an echo, the answer to its close) goes out first, within
    /// the close timeout, and then the socket closes.
    func peerClosed() {
        guard !outbound.isEmpty else { closeNow(); return }
        peerFinished = true
        discardInput = true
        if !sentClose { closeStartedMs = loop.now }
        loop.pauseReading(self)
        rescheduleTimer()
    }

    // MARK: - Output

    /// Sends a text or binary message, compressed when permessage-deflate was negotiated and the
    /// message is over the threshold (RFC 7692 §6.1: each message may be compressed or not).
    func send(_ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        guard phase == .webSocket, !sentClose else { return }
        if let d = deflate, let endpoint, payload.count >= endpoint.deflateThreshold {
            let deflater = loop.deflater(windowBits: d.serverMaxWindowBits)
            var compressed: [UInt8] = []
            compressed.reserveCapacity(payload.count / 2 + 64)
            payload.withUnsafeBytes { deflater.compressMessage($0, noContextTakeover: true, into: &compressed) }
            loop.metrics.deflateCall()
            enqueue(Self.frame(opcode, compressed, rsv1: true))
        } else {
            enqueue(Self.frame(opcode, payload, rsv1: false))
        }
    }

    /// Queues an already encoded frame (shared between connections).
    func sendEncoded(_ frame: OutboundBytes) {
        guard phase == .webSocket, !sentClose else { return }
        enqueue(frame)
    }

    /// A fan-out push: queued like `sendEncoded`, but its write may wait for the loop's
    /// coalescing window (`push_coalesce_ms`) so that several pushes leave in one `writev`.
    func sendPush(_ frame: OutboundBytes) {
        guard phase == .webSocket, !sentClose else { return }
        enqueue(frame, deferrable: true)
    }

    private func sendFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        enqueue(Self.frame(opcode, payload, rsv1: false))
    }

    static func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], rsv1: Bool) -> OutboundBytes {
        let h = WebSocketFrameEncoder.headerSize(payloadLength: payload.count)
        return OutboundBytes(count: h + payload.count) { dst in
            WebSocketFrameEncoder.writeHeader(to: dst.baseAddress!, opcode: opcode, payloadLength: payload.count, rsv1: rsv1)
            payload.withUnsafeBytes { src in
                if let s = src.baseAddress { (dst.baseAddress! + h).copyMemory(from: s, byteCount: src.count) }
            }
        }
    }

    private func enqueue(_ bytes: OutboundBytes, deferrable: Bool = false) {
        guard phase != .closed, !writeShut else { return }
        outbound.append(bytes)
        bytesOut += bytes.count
        if deferrable { loop.scheduleDeferredFlush(self) } else { loop.scheduleFlush(self) }
        if !sentClose, let limit = endpoint?.maxOutboundBytes, limit > 0, outbound.pendingBytes > limit {
            // Over the limit before this turn's flush may be a burst (many publications in one
            // mailbox drain) that the socket takes at once: write now, and judge what is left.
            loop.flushNow(self)
            guard phase != .closed, outbound.pendingBytes > limit else { return }
            // A slow consumer: what it has not started to receive is dropped, it gets 4408, and
            // the socket stays open up to the close timeout so it can read why (PROTOCOL.md).
            loop.metrics.slowConsumer()
            loop.logger.info("slow_consumer", [("conn", .int(Int(truncatingIfNeeded: id))), ("queued", .int(outbound.pendingBytes)), ("limit", .int(limit))])
            discardQueueAndClose(.slowConsumer, reason: "slow consumer")
        }
    }

    /// Starts the closing handshake with `code` (§7.1.2): nothing is sent after the close frame,
    /// and the connection ends when the peer answers, hangs up, or the close timeout passes.
    func close(_ code: WebSocketCloseCode, reason: String = "") {
        guard phase == .webSocket, !sentClose else { return }
        sendClose(payload: WebSocketFrameEncoder.closePayload(code: code, reason: reason))
    }

    private func sendClose(payload: [UInt8]) {
        // Marked first: a close frame is never itself a reason to close again (slow consumer).
        sentClose = true
        shutdownAfterFlush = true
        closeStartedMs = loop.now
        enqueue(Self.frame(.close, payload, rsv1: false))
        rescheduleTimer()
    }

    /// Slow consumer: drop what has not started to go out, then close with `code`.
    func discardQueueAndClose(_ code: WebSocketCloseCode, reason: String) {
        outbound.discardUnstarted()
        close(code, reason: reason)
    }

    func respondAndClose(_ response: HTTPResponse) {
        discardInput = true
        shutdownAfterFlush = true
        closeStartedMs = loop.now
        sentClose = true
        var response = response
        if !response.headers.contains(where: { $0.0.lowercased() == "connection" }) {
            response.headers.append(("Connection", "close"))
        }
        enqueue(OutboundBytes(response.serialize()))
        rescheduleTimer()
    }

    /// Called by the loop after a flush emptied the queue.
    func didDrain() {
        if peerFinished { closeNow(); return }
        if shutdownAfterFlush && !writeShut {
            writeShut = true
            // Our FIN follows the last bytes; the socket stays open (reading and dropping) until
            // the peer's close or EOF, so a reset never destroys what we sent (a lingering close).
            Glibc.shutdown(fd, Int32(SHUT_WR))
        }
    }

    /// Closes the socket now: after the handshake, on EOF, on errors and at timeouts.
    func closeNow() {
        guard phase != .closed else { return }
        let wasWebSocket = phase == .webSocket
        phase = .closed
        loop.unregister(self)
        Glibc.close(fd)
        if wasWebSocket, let endpoint {
            loop.metrics.webSocketClosed(endpoint.name)
            handler?.connectionClosed(self)
        }
        handler = nil
        reader = nil
    }

    // MARK: - Timers

    /// The next moment something must be checked: the handshake, ping/idle or close deadline.
    private func nextDeadline() -> UInt64 {
        let c = loop.config
        if sentClose || peerFinished { return closeStartedMs + c.closeTimeoutMs }
        if phase == .http { return acceptedMs + c.handshakeTimeoutMs }
        let idle = min(lastReceivedMs + c.idleTimeoutMs, handlerDeadlineMs ?? .max)
        if pingSentMs > lastReceivedMs { return idle }
        return min(idle, lastReceivedMs + c.pingIntervalMs)
    }

    /// Whether a deadline passed more than `graceMs` ago without its timer handling it (the
    /// reaper's question; a healthy timer wheel makes this never true).
    func isOverdue(now: UInt64, graceMs: UInt64) -> Bool {
        phase != .closed && now >= nextDeadline() + graceMs
    }

    /// Runs the deadline checks now, as the timer would have (the reaper's backstop).
    func enforceDeadlines(now: UInt64) {
        timerFired(generation: timerGeneration, now: now)
    }

    /// Asks for `handler.deadlineReached` at `ms` (loop clock); nil cancels.
    func setHandlerDeadline(_ ms: UInt64?) {
        handlerDeadlineMs = ms
        rescheduleTimer()
    }

    func rescheduleTimer() {
        guard phase != .closed else { return }
        timerGeneration &+= 1
        loop.schedule(self, generation: timerGeneration, due: nextDeadline())
    }

    /// A timer entry for this connection came due.
    func timerFired(generation: UInt32, now: UInt64) {
        guard phase != .closed, generation == timerGeneration else { return }
        let c = loop.config
        if sentClose || peerFinished {
            if now >= closeStartedMs + c.closeTimeoutMs { closeNow(); return }
        } else if phase == .http {
            if now >= acceptedMs + c.handshakeTimeoutMs {
                loop.metrics.handshakeTimeout()
                respondAndClose(.plain(HTTPStatus(code: 408, reason: "Request Timeout"), "handshake timeout"))
                return
            }
        } else {
            if let deadline = handlerDeadlineMs, now >= deadline {
                handlerDeadlineMs = nil
                handler?.deadlineReached(self)
                if phase == .closed || sentClose { return }
            }
            if now >= lastReceivedMs + c.idleTimeoutMs {
                loop.metrics.idleTimeout()
                close(.goingAway, reason: "idle timeout")
                return
            }
            if pingSentMs <= lastReceivedMs && now >= lastReceivedMs + c.pingIntervalMs {
                pingSentMs = now
                sendFrame(.ping, [])
            }
        }
        rescheduleTimer()
    }
}

import WSProtocol

/// A blocking WebSocket client for integration tests, on a `TestSocket`.
///
/// It does the opening handshake with a random key and checks the 101 and its
/// `Sec-WebSocket-Accept` (RFC 6455 §4.1), sends masked frames as a client must (§5.3), parses the
/// server's frames with the project's own parser set to a client's rules, and can send raw bytes
/// for negative tests.
final class TestWebSocketClient {
    /// The client's side of a failed exchange.
    enum Failure: Error, CustomStringConvertible {
        case handshake(String)
        case frame(WebSocketError)

        var description: String {
            switch self {
            case .handshake(let why): return "handshake failed: \(why)"
            case .frame(let e): return "server sent a bad frame: \(e.reason)"
            }
        }
    }

    let socket: TestSocket
    /// The 101 response.
    let response: TestHTTPResponse
    /// The key sent in the handshake.
    let key: String
    /// Whether permessage-deflate was negotiated (the server may then set RSV1).
    let deflateNegotiated: Bool

    /// Bytes read but not yet parsed.
    private var buffer: [UInt8] = []
    private var parser = WebSocketFrameParser(options: .init(requireMask: false, allowRSV1: true))
    private var current: (header: WebSocketFrameHeader, payload: [UInt8])?
    private var rng = SystemRandomNumberGenerator()
    /// Inflates RSV1 messages when permessage-deflate was negotiated. The hub always negotiates
    /// `server_no_context_takeover`, so every message is inflated from an empty window.
    private lazy var inflater = Inflater(windowBits: 15)

    /// Connects and upgrades on `path`. `extraHeaders` are added to the request as given;
    /// `receiveBuffer` caps the socket's SO_RCVBUF.
    init(port: Int, path: String = "/echo", extraHeaders: [(String, String)] = [], receiveBuffer: Int? = nil,
         timeout: Double = 2) throws {
        socket = try TestSocket(port: port, receiveBuffer: receiveBuffer)
        var keyBytes = [UInt8](repeating: 0, count: 16)
        for i in keyBytes.indices { keyBytes[i] = UInt8.random(in: 0...255, using: &rng) }
        key = Base64.encode(keyBytes)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in extraHeaders { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try socket.send(request)

        let deadline = TestDeadline(seconds: timeout)
        var bytes: [UInt8] = []
        while TestHTTPResponse.headEnd(in: bytes) == nil {
            let chunk = try socket.receive(timeout: deadline.remaining)
            if chunk.isEmpty { throw TestSocket.Failure.unexpectedEOF("the 101 response") }
            bytes.append(contentsOf: chunk)
        }
        let end = TestHTTPResponse.headEnd(in: bytes)!
        guard let response = TestHTTPResponse(Array(bytes[..<end])) else {
            throw Failure.handshake("malformed response: \(String(decoding: bytes, as: UTF8.self))")
        }
        guard response.status == 101 else { throw Failure.handshake("status \(response.statusLine)") }
        guard response.header("Upgrade")?.lowercased() == "websocket" else { throw Failure.handshake("no Upgrade: websocket") }
        guard response.header("Connection")?.lowercased() == "upgrade" else { throw Failure.handshake("no Connection: Upgrade") }
        let expected = WebSocketHandshake.acceptKey(for: key)
        guard response.header("Sec-WebSocket-Accept") == expected else {
            throw Failure.handshake("Sec-WebSocket-Accept \(response.header("Sec-WebSocket-Accept") ?? "missing"), expected \(expected)")
        }
        self.response = response
        deflateNegotiated = response.header("Sec-WebSocket-Extensions")?.contains("permessage-deflate") ?? false
        buffer = Array(bytes[end...])
    }

    // MARK: - Sending

    /// A random masking key, as §5.3 asks of a client.
    func randomMaskKey() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }

    /// Sends one masked frame.
    func send(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false) throws {
        try socket.send(WebSocketFrameEncoder.frame(opcode, payload: payload, fin: fin, rsv1: rsv1, maskKey: randomMaskKey()))
    }

    /// Sends one masked text frame.
    func sendText(_ text: String) throws {
        try send(.text, Array(text.utf8))
    }

    /// Sends a masked close frame with `code` and `reason`, or an empty one when `code` is nil.
    func sendClose(code: UInt16? = 1000, reason: String = "") throws {
        var payload: [UInt8] = []
        if let code { payload = [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8) }
        try send(.close, payload)
    }

    /// Sends bytes as they are (negative tests, odd splits).
    func sendRaw(_ bytes: [UInt8]) throws {
        try socket.send(bytes)
    }

    // MARK: - Receiving

    /// The next whole frame from the server (fragments are returned one by one). Throws
    /// `.timeout` when none arrives in `timeout` seconds, `.unexpectedEOF` on EOF.
    func readFrame(timeout: Double = 2) throws -> TestFrame {
        guard let frame = try readFrameIfAny(timeout: timeout) else { throw TestSocket.Failure.timeout("a frame") }
        return frame
    }

    /// Like `readFrame`, but nil when no whole frame arrived within `timeout` seconds.
    func readFrameIfAny(timeout: Double) throws -> TestFrame? {
        let deadline = TestDeadline(seconds: timeout)
        while true {
            if let frame = try parseBuffered() { return frame }
            guard let chunk = try socket.receiveIfAny(timeout: deadline.remaining) else { return nil }
            if chunk.isEmpty { throw TestSocket.Failure.unexpectedEOF("a frame") }
            buffer.append(contentsOf: chunk)
        }
    }

    /// The next message, its fragments joined into one `TestFrame` carrying the first frame's
    /// opcode and RSV1 (the hub sends no control frames between fragments in these tests).
    func readMessage(timeout: Double = 2) throws -> TestFrame {
        let deadline = TestDeadline(seconds: timeout)
        var first = try readFrame(timeout: deadline.remaining)
        while !first.fin {
            let next = try readFrame(timeout: deadline.remaining)
            first.payload += next.payload
            first.fin = next.fin
        }
        return first
    }

    /// The next `count` raw bytes the server wrote (anything already buffered first), for
    /// byte-for-byte assertions. Throws on timeout or EOF.
    func readRaw(count: Int, timeout: Double = 2) throws -> [UInt8] {
        let deadline = TestDeadline(seconds: timeout)
        while buffer.count < count {
            guard let chunk = try socket.receiveIfAny(timeout: deadline.remaining) else {
                throw TestSocket.Failure.timeout("\(count) bytes (got \(buffer.count))")
            }
            if chunk.isEmpty { throw TestSocket.Failure.unexpectedEOF("\(count) bytes (got \(buffer.count))") }
            buffer.append(contentsOf: chunk)
        }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Reads raw bytes (anything already buffered first) until the server closes the TCP
    /// connection; throws `.timeout` if it does not within `timeout` seconds.
    func readToEnd(timeout: Double = 1) throws -> [UInt8] {
        let rest = try socket.readToEnd(timeout: timeout)
        let all = buffer + rest
        buffer.removeAll()
        return all
    }

    /// A message's payload as the application sees it: inflated when RSV1 is set (permessage-deflate
    /// negotiated), as sent otherwise.
    func applicationPayload(of message: TestFrame) throws -> [UInt8] {
        guard message.rsv1 else { return message.payload }
        guard deflateNegotiated else { throw Failure.handshake("RSV1 set without permessage-deflate") }
        return try inflater.inflateMessage(message.payload, limit: 64 << 20, noContextTakeover: true)
    }

    /// Reads whatever the socket holds without blocking (into `scratch`) and appends every whole
    /// frame to `frames`, in order. Returns false once the server has closed the connection.
    /// For tests that drive many clients from one thread with `poll(2)`.
    func readAvailableFrames(into frames: inout [TestFrame], scratch: UnsafeMutableRawBufferPointer) throws -> Bool {
        var open = true
        while true {
            guard let n = try socket.receiveNow(into: scratch) else { break }
            if n == 0 {
                open = false
                break
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
            if n < scratch.count { break }
        }
        try parseAllBuffered(into: &frames)
        return open
    }

    /// Every whole frame in the buffer, parsed in one pass (the buffer is trimmed once).
    private func parseAllBuffered(into frames: inout [TestFrame]) throws {
        var failure: WebSocketError?
        var consumed = 0
        buffer.withUnsafeMutableBytes { raw in
            var input = raw
            loop: while true {
                switch parser.next(&input) {
                case .needMore:
                    break loop
                case .chunk(let header, let bytes, let first, let last):
                    if first { current = (header, []) }
                    current!.payload.append(contentsOf: bytes)
                    if last {
                        let (h, payload) = current!
                        current = nil
                        frames.append(TestFrame(opcode: h.opcode, fin: h.fin, rsv1: h.rsv1, payload: payload))
                    }
                case .failed(let error):
                    failure = error
                    break loop
                }
            }
            consumed = raw.count - input.count
        }
        buffer.removeFirst(consumed)
        if let failure { throw Failure.frame(failure) }
    }

    /// Feeds the buffered bytes to the parser until a frame is complete or they run out.
    private func parseBuffered() throws -> TestFrame? {
        var result: TestFrame?
        var failure: WebSocketError?
        var consumed = 0
        buffer.withUnsafeMutableBytes { raw in
            var input = raw
            loop: while true {
                switch parser.next(&input) {
                case .needMore:
                    break loop
                case .chunk(let header, let bytes, let first, let last):
                    if first { current = (header, []) }
                    current!.payload.append(contentsOf: bytes)
                    if last {
                        let (h, payload) = current!
                        current = nil
                        result = TestFrame(opcode: h.opcode, fin: h.fin, rsv1: h.rsv1, payload: payload)
                        break loop
                    }
                case .failed(let error):
                    failure = error
                    break loop
                }
            }
            consumed = raw.count - input.count
        }
        buffer.removeFirst(consumed)
        if let failure { throw Failure.frame(failure) }
        return result
    }
}

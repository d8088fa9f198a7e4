import Broadcast
import Foundation
import Glibc
import Synchronization

/// One streaming `POST /v1/chat/completions` to an OpenAI-compatible server over HTTP/1.1 (plain
/// TCP, or TLS for `https://`, see `UpstreamTransport`), read on a thread of its own and handed
/// to the stream task token by token.
///
/// The socket work blocks (poll with timeouts), so it runs on a dedicated `Thread`, never on the
/// cooperative pool or the hub's executor; the stream task awaits `next()`, which suspends until
/// the thread delivers. Parsing is the pure `HTTPResponseParser` and `SSEParser`; each SSE
/// `data:` is a JSON chunk whose `choices[0].delta.content` is the next token, and `[DONE]` ends
/// the stream. `cancel()` (a stop, a timeout of the opening call) shuts the socket down, which
/// wakes the thread; only the thread closes the descriptor, under the lock, so a cancel never
/// touches a reused descriptor number.
final class UpstreamConnection: Sendable {
    /// What to send and the limits that apply.
    struct Request: Sendable {
        var url: UpstreamURL
        /// Sent as `Authorization: Bearer …` when not empty.
        var key: String
        var model: String
        var prompt: String
        var maxTokens: Int
        var seed: UInt64
        /// Seconds the connection may stay silent (connecting, or between two reads).
        var timeout: Double
        /// The TLS client context, for `https://` URLs.
        var tls: UpstreamTLSContext?
    }

    private enum Outcome: Sendable {
        case end
        case failure(UpstreamError)
    }

    private struct State {
        var tokens: [String] = []
        var outcome: Outcome?
        var waiter: CheckedContinuation<String?, any Error>?
        var fd: Int32 = -1
        var cancelled = false
    }

    private let state = Mutex(State())

    private init() {}

    /// Starts the exchange on a new thread; tokens come through `next()`.
    static func open(_ request: Request) -> UpstreamConnection {
        let connection = UpstreamConnection()
        let thread = Thread { connection.run(request) }
        thread.name = "dream-upstream"
        thread.start()
        return connection
    }

    /// The next token; nil once the stream ended normally.
    /// - Throws: `UpstreamError` when it failed (every later call throws the same).
    func next() async throws -> String? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (k: CheckedContinuation<String?, any Error>) in
                enum Ready { case token(String), outcome(Outcome), wait }
                let ready = state.withLock { s -> Ready in
                    if !s.tokens.isEmpty { return .token(s.tokens.removeFirst()) }
                    if let o = s.outcome { return .outcome(o) }
                    s.waiter = k
                    return .wait
                }
                switch ready {
                case .token(let t): k.resume(returning: t)
                case .outcome(let o): Self.resume(k, o)
                case .wait: break
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Stops the exchange: the socket is shut down and `next()` throws `.cancelled`.
    func cancel() {
        state.withLock { s in
            s.cancelled = true
            if s.fd >= 0 { _ = Glibc.shutdown(s.fd, Int32(SHUT_RDWR)) }
        }
        finish(.failure(.cancelled))
    }

    private static func resume(_ k: CheckedContinuation<String?, any Error>, _ o: Outcome) {
        switch o {
        case .end: k.resume(returning: nil)
        case .failure(let e): k.resume(throwing: e)
        }
    }

    private func deliver(_ token: String) {
        let waiter = state.withLock { s -> CheckedContinuation<String?, any Error>? in
            guard s.outcome == nil else { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.tokens.append(token)
            return nil
        }
        waiter?.resume(returning: token)
    }

    private func finish(_ o: Outcome) {
        let waiter = state.withLock { s -> CheckedContinuation<String?, any Error>? in
            guard s.outcome == nil else { return nil }
            s.outcome = o
            defer { s.waiter = nil }
            return s.waiter
        }
        if let waiter { Self.resume(waiter, o) }
    }

    private var isCancelled: Bool { state.withLock { $0.cancelled } }

    // MARK: The thread

    private func run(_ r: Request) {
        let outcome = exchange(r)
        finish(outcome)
        state.withLock { s in
            if s.fd >= 0 { Glibc.close(s.fd) }
            s.fd = -1
        }
    }

    private func exchange(_ r: Request) -> Outcome {
        let timeoutMs = Int32(max(1, min(r.timeout * 1000, 3_600_000)))
        let fd: Int32
        switch connect(r.url, timeoutMs: timeoutMs) {
        case .success(let f): fd = f
        case .failure(let e): return .failure(isCancelled ? .cancelled : e)
        }
        let transport: UpstreamTransport
        if r.url.isTLS {
            guard let context = r.tls else { return .failure(.tls("no TLS context for an https upstream")) }
            do {
                transport = try UpstreamTransport(tls: fd, host: r.url.host, context: context, timeoutMs: timeoutMs)
            } catch {
                return .failure(isCancelled ? .cancelled : error)
            }
        } else {
            transport = UpstreamTransport(plain: fd)
        }
        if let e = transport.write(Self.requestBytes(r), timeoutMs: timeoutMs) { return .failure(isCancelled ? .cancelled : e) }
        var http = HTTPResponseParser()
        var sse = SSEParser()
        var status = 0
        var produced = 0
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            // Before the first token the opening call's breaker timer governs (a timeout there is
            // counted as one); this wait is only the backstop.
            let read = transport.read(into: &buffer, timeoutMs: produced == 0 ? timeoutMs + 500 : timeoutMs)
            if isCancelled { return .failure(.cancelled) }
            let events: [HTTPResponseParser.Event]
            do {
                switch read {
                case .data(let n): events = try http.feed(Array(buffer[0..<n]))
                case .eof: events = try http.finish()
                case .timedOut: return .failure(.timedOut(produced == 0 ? r.timeout + 0.5 : r.timeout))
                case .failed(let e): return .failure(e)
                }
            } catch {
                return .failure(.protocolError(error.description))
            }
            for event in events {
                switch event {
                case .head(let code, _):
                    status = code
                    if code != 200 { return .failure(.status(code)) }
                case .body(let bytes):
                    guard status == 200 else { continue }
                    let messages: [SSEEvent]
                    do { messages = try sse.feed(bytes) } catch { return .failure(.protocolError("SSE line too long")) }
                    for m in messages {
                        switch Self.content(of: m.data) {
                        case .done: return .end
                        case .failure(let e): return .failure(e)
                        case .token(let t):
                            deliver(t)
                            produced += 1
                            if produced >= r.maxTokens { return .end }
                        case .nothing: continue
                        }
                    }
                case .end:
                    // A complete body without `[DONE]`: take it as the end.
                    return .end
                }
            }
            if case .eof = read { return .failure(.protocolError("connection closed before the response")) }
        }
    }

    /// What one SSE `data` payload says.
    enum Content: Equatable {
        case token(String)
        case nothing
        case done
        case failure(UpstreamError)
    }

    /// Reads one chat-completion chunk (`choices[0].delta.content`), `[DONE]`, or an `error`.
    static func content(of data: String) -> Content {
        let trimmed = data.trimmingSpaces
        if trimmed == "[DONE]" { return .done }
        guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
            return .failure(.protocolError("a data line that is not a JSON object"))
        }
        if let error = object["error"] {
            let message = (error as? [String: Any])?["message"] as? String ?? "\(error)"
            return .failure(.upstream(message))
        }
        guard let choices = object["choices"] as? [[String: Any]] else { return .nothing }
        guard let first = choices.first, let delta = first["delta"] as? [String: Any],
              let text = delta["content"] as? String, !text.isEmpty else { return .nothing }
        return .token(text)
    }

    /// The request: `stream: true`, the prompt as the one user message.
    static func requestBytes(_ r: Request) -> [UInt8] {
        let body = DreamJSON.object([
            ("model", DreamJSON.string(r.model)),
            ("messages", "[" + DreamJSON.object([("role", "\"user\""), ("content", DreamJSON.string(r.prompt))]) + "]"),
            ("stream", "true"),
            ("max_tokens", String(r.maxTokens)),
            ("seed", String(Int64(bitPattern: r.seed))),
        ])
        var head = "POST \(r.url.path) HTTP/1.1\r\nHost: \(r.url.hostHeader)\r\n"
        head += "Content-Type: application/json\r\nAccept: text/event-stream\r\nUser-Agent: hub-dream\r\n"
        if !r.key.isEmpty { head += "Authorization: Bearer \(r.key)\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + Array(body.utf8)
    }

    // MARK: Sockets

    private func connect(_ url: UpstreamURL, timeoutMs: Int32) -> Result<Int32, UpstreamError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard rc == 0, let first = list else { return .failure(.resolve(String(cString: gai_strerror(rc)))) }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                lastError = String(cString: strerror(errno))
                continue
            }
            let registered = state.withLock { s -> Bool in
                if s.cancelled { return false }
                if s.fd >= 0 { Glibc.close(s.fd) }
                s.fd = fd
                return true
            }
            guard registered else {
                Glibc.close(fd)
                return .failure(.cancelled)
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                continue
            }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, timeoutMs)
            if ready == 0 { return .failure(.timedOut(Double(timeoutMs) / 1000)) }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if ready > 0 && err == 0 { return .success(fd) }
            lastError = String(cString: strerror(err != 0 ? err : errno))
        }
        return .failure(.connect(lastError))
    }
}

import COpenSSL
import Foundation
import Glibc
import Synchronization

/// An OpenAI-compatible server for the dream upstream tests, on 127.0.0.1 and a free port, run
/// by the test itself: each connection gets a thread, reads one request, and answers as `mode`
/// says at that moment (stream SSE chunks, stall, fail with 500, stream then stall). With
/// `tls`, every connection is TLS (OpenSSL, the given certificate and key).
final class DreamFakeUpstream: Sendable {
    /// A server `SSL_CTX`, configured once in `init` and only read after (OpenSSL allows sharing).
    final class TLS: @unchecked Sendable {
        let ctx: OpaquePointer
        init(certFile: String, keyFile: String) throws {
            guard let ctx = SSL_CTX_new(TLS_server_method()),
                  SSL_CTX_use_certificate_file(ctx, certFile, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_use_PrivateKey_file(ctx, keyFile, SSL_FILETYPE_PEM) == 1 else {
                throw TestSocket.Failure.timeout("loading the fake upstream's certificate")
            }
            self.ctx = ctx
        }
        deinit { SSL_CTX_free(ctx) }
    }

    enum Mode: Sendable {
        /// `200`, chunked SSE: one chunk per token (`gapMs` apart), then `data: [DONE]`.
        case stream([String], gapMs: Int)
        /// Reads the request, answers nothing.
        case stall
        /// `500` with a short body.
        case fail
        /// `200`, these tokens, then silence.
        case streamThenStall([String])
    }

    private struct State {
        var mode: Mode = .stall
        var requests: [String] = []
        var stopped = false
        var open: [Int32] = []
        var handshakeFailures = 0
    }

    let port: Int
    private let listenFd: Int32
    private let tls: TLS?
    private let state = Mutex(State())

    init(tls: TLS? = nil) throws {
        self.tls = tls
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw TestSocket.Failure.timeout("binding the fake upstream")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listenFd = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:<port>` (`https://` with TLS).
    var url: String { (tls == nil ? "http" : "https") + "://127.0.0.1:\(port)" }

    /// TLS handshakes that failed (the client refused the certificate, say).
    var handshakeFailures: Int { state.withLock { $0.handshakeFailures } }

    /// What later connections get.
    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }

    /// The requests received so far (head and body), in arrival order.
    var requests: [String] { state.withLock { $0.requests } }

    /// Stops accepting and closes every connection.
    func stop() {
        let fds = state.withLock { s -> [Int32] in
            s.stopped = true
            return s.open
        }
        Glibc.shutdown(listenFd, Int32(SHUT_RDWR))
        for fd in fds { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit { close(listenFd) }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFd, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let keep = state.withLock { s -> Bool in
                if s.stopped { return false }
                s.open.append(fd)
                return true
            }
            guard keep else {
                close(fd)
                return
            }
            let t = Thread { [self] in serve(fd) }
            t.start()
        }
    }

    private func serve(_ fd: Int32) {
        var ssl: OpaquePointer?
        defer {
            if let ssl { SSL_free(ssl) }
            state.withLock { $0.open.removeAll { $0 == fd } }
            close(fd)
        }
        if let tls {
            ssl = SSL_new(tls.ctx)
            SSL_set_fd(ssl, fd)
            guard SSL_accept(ssl) == 1 else {
                state.withLock { $0.handshakeFailures += 1 }
                return
            }
        }
        let io = IO(fd: fd, ssl: ssl)
        guard let request = readRequest(io) else { return }
        let mode = state.withLock { s -> Mode in
            s.requests.append(request)
            return s.mode
        }
        switch mode {
        case .stall:
            waitForClose(io)
        case .fail:
            write(io, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nbroken")
        case .stream(let tokens, let gap):
            write(io, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk(io, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n")
            for t in tokens {
                if gap > 0 { usleep(useconds_t(gap * 1000)) }
                chunk(io, "data: " + Self.delta(t) + "\n\n")
            }
            chunk(io, "data: [DONE]\n\n")
            write(io, "0\r\n\r\n")
        case .streamThenStall(let tokens):
            write(io, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            for t in tokens { chunk(io, "data: " + Self.delta(t) + "\n\n") }
            waitForClose(io)
        }
    }

    static func delta(_ token: String) -> String {
        let content = String(decoding: try! JSONSerialization.data(withJSONObject: [token], options: [.fragmentsAllowed]), as: UTF8.self)
        return #"{"id":"c-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"#
            + content.dropFirst().dropLast() + #"},"finish_reason":null}]}"#
    }

    /// A connection's bytes, plain or through TLS.
    private struct IO {
        let fd: Int32
        let ssl: OpaquePointer?
        func recv(_ buffer: inout [UInt8]) -> Int {
            buffer.withUnsafeMutableBytes { b in
                if let ssl { return Int(SSL_read(ssl, b.baseAddress, Int32(b.count))) }
                return Glibc.recv(fd, b.baseAddress, b.count, 0)
            }
        }
        func send(_ bytes: [UInt8], from: Int) -> Int {
            bytes.withUnsafeBytes { b in
                if let ssl { return Int(SSL_write(ssl, b.baseAddress! + from, Int32(b.count - from))) }
                return Glibc.send(fd, b.baseAddress! + from, b.count - from, Int32(MSG_NOSIGNAL))
            }
        }
    }

    private func chunk(_ io: IO, _ text: String) {
        write(io, String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    private func write(_ io: IO, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = io.send(bytes, from: sent)
            if n <= 0 { return }
            sent += n
        }
    }

    /// Until the client closes (or the server stops), at most 30 s.
    private func waitForClose(_ io: IO) {
        var buffer = [UInt8](repeating: 0, count: 512)
        for _ in 0..<300 {
            var p = pollfd(fd: io.fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) > 0 {
                if io.recv(&buffer) <= 0 { return }
            }
            if state.withLock({ $0.stopped }) { return }
        }
    }

    /// The head and a Content-Length body.
    private func readRequest(_ io: IO) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = io.recv(&buffer)
            if n <= 0 { return nil }
            bytes += buffer[0..<n]
            let text = String(decoding: bytes, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<end.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text[end.upperBound...].utf8.count >= length { return text }
        }
    }
}

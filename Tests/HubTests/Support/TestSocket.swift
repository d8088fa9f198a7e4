import Glibc

/// A blocking TCP client socket for integration tests: connect to 127.0.0.1, send, receive with a
/// `poll(2)` timeout, read to EOF, half-close.
///
/// Blocking calls are fine here: every wait is bounded by a timeout, so a server that misbehaves
/// fails the test instead of hanging the run.
final class TestSocket {
    /// What went wrong, with the `errno` where there is one.
    enum Failure: Error, CustomStringConvertible, Equatable {
        case connect(Int32)
        case send(Int32)
        case receive(Int32)
        /// The peer reset the connection (ECONNRESET) instead of closing it cleanly.
        case reset
        /// Nothing (or not enough) arrived before the deadline.
        case timeout(String)
        /// The peer closed the connection while more bytes were expected.
        case unexpectedEOF(String)

        var description: String {
            switch self {
            case .connect(let e): return "connect: \(TestSocket.errorText(e))"
            case .send(let e): return "send: \(TestSocket.errorText(e))"
            case .receive(let e): return "receive: \(TestSocket.errorText(e))"
            case .reset: return "connection reset by peer"
            case .timeout(let what): return "timed out waiting for \(what)"
            case .unexpectedEOF(let what): return "EOF while waiting for \(what)"
            }
        }
    }

    /// The socket descriptor, -1 once closed.
    private(set) var fd: Int32

    /// Connects (blocking) to `host:port`. Sends time out after `sendTimeout` seconds so a server
    /// that stops reading fails the test instead of blocking it forever. `receiveBuffer` caps
    /// SO_RCVBUF (set before connecting, so the window is small from the start) for tests that
    /// need the server's output to back up.
    init(port: Int, host: String = "127.0.0.1", sendTimeout: Double = 5, receiveBuffer: Int? = nil) throws(Failure) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connect(errno) }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .connect(e)
        }
        var tv = timeval(tv_sec: Int(sendTimeout), tv_usec: Int((sendTimeout - sendTimeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
    }

    deinit { close() }

    /// Sends every byte (blocking, bounded by the send timeout).
    func send(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .send(errno)
            }
            offset += n
        }
    }

    /// Sends the UTF-8 bytes of `text`.
    func send(_ text: String) throws(Failure) {
        try send(Array(text.utf8))
    }

    /// Waits up to `timeout` seconds for bytes and returns what one `recv` gave; an empty array
    /// means EOF. Throws `.timeout` when nothing arrived and `.reset` on ECONNRESET.
    func receive(timeout: Double, maxBytes: Int = 256 * 1024) throws(Failure) -> [UInt8] {
        guard let bytes = try receiveIfAny(timeout: timeout, maxBytes: maxBytes) else { throw .timeout("data") }
        return bytes
    }

    /// Like `receive`, but nil when nothing arrived within `timeout` seconds.
    func receiveIfAny(timeout: Double, maxBytes: Int = 256 * 1024) throws(Failure) -> [UInt8]? {
        guard try waitReadable(timeout: timeout) else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, 0) }
            if n >= 0 {
                buffer.removeSubrange(n...)
                return buffer
            }
            let e = errno
            if e == EINTR { continue }
            if e == ECONNRESET { throw .reset }
            throw .receive(e)
        }
    }

    /// One non-blocking `recv` into `buffer`: the byte count, 0 on EOF, nil when nothing is
    /// waiting. Throws `.reset` on ECONNRESET.
    func receiveNow(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int? {
        while true {
            let n = Glibc.recv(fd, buffer.baseAddress!, buffer.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return nil }
            if e == ECONNRESET { throw .reset }
            throw .receive(e)
        }
    }

    /// Reads until the peer closes its side and returns everything read. Throws `.timeout` if the
    /// EOF does not come within `timeout` seconds, `.reset` on ECONNRESET.
    func readToEnd(timeout: Double) throws(Failure) -> [UInt8] {
        let deadline = TestDeadline(seconds: timeout)
        var all: [UInt8] = []
        while true {
            guard let chunk = try receiveIfAny(timeout: deadline.remaining) else {
                throw .timeout("EOF (got \(all.count) bytes)")
            }
            if chunk.isEmpty { return all }
            all.append(contentsOf: chunk)
        }
    }

    /// Whether bytes (or EOF) can be read within `timeout` seconds.
    func waitReadable(timeout: Double) throws(Failure) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = TestDeadline(seconds: timeout)
        while true {
            let rc = poll(&p, 1, Int32((deadline.remaining * 1000).rounded(.up)))
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { throw .receive(errno) }
        }
    }

    /// Half-closes: sends FIN, keeps reading.
    func shutdownWrite() {
        guard fd >= 0 else { return }
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the socket (idempotent).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    static func errorText(_ code: Int32) -> String {
        guard let p = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: p)) (errno \(code))"
    }
}

import Foundation
import Glibc
import Synchronization

/// An OpenAI-compatible server for the dream upstream tests, on 127.0.0.1 and a free port, run
/// by the test itself: each connection gets a thread, reads one request, and answers as `mode`
/// says at that moment (stream SSE chunks, stall, fail with 500, stream then stall).
final class DreamFakeUpstream: Sendable {
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
    }

    let port: Int
    private let listenFd: Int32
    private let state = Mutex(State())

    init() throws {
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

    /// `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(port)" }

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
        defer {
            state.withLock { $0.open.removeAll { $0 == fd } }
            close(fd)
        }
        guard let request = readRequest(fd) else { return }
        let mode = state.withLock { s -> Mode in
            s.requests.append(request)
            return s.mode
        }
        switch mode {
        case .stall:
            waitForClose(fd)
        case .fail:
            write(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nbroken")
        case .stream(let tokens, let gap):
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk(fd, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n")
            for t in tokens {
                if gap > 0 { usleep(useconds_t(gap * 1000)) }
                chunk(fd, "data: " + Self.delta(t) + "\n\n")
            }
            chunk(fd, "data: [DONE]\n\n")
            write(fd, "0\r\n\r\n")
        case .streamThenStall(let tokens):
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            for t in tokens { chunk(fd, "data: " + Self.delta(t) + "\n\n") }
            waitForClose(fd)
        }
    }

    static func delta(_ token: String) -> String {
        let content = String(decoding: try! JSONSerialization.data(withJSONObject: [token], options: [.fragmentsAllowed]), as: UTF8.self)
        return #"{"id":"c-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"#
            + content.dropFirst().dropLast() + #"},"finish_reason":null}]}"#
    }

    private func chunk(_ fd: Int32, _ text: String) {
        write(fd, String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Until the client closes (or the server stops), at most 30 s.
    private func waitForClose(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 512)
        for _ in 0..<300 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) > 0 {
                if buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }) <= 0 { return }
            }
            if state.withLock({ $0.stopped }) { return }
        }
    }

    /// The head and a Content-Length body.
    private func readRequest(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
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

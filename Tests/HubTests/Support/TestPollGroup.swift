import Glibc

/// Many `TestWebSocketClient`s read from one thread: `poll(2)` over all their sockets, then a
/// non-blocking read of each readable one, so a thousand clients need no thousand threads.
final class TestPollGroup {
    let clients: [TestWebSocketClient]
    private var fds: [pollfd]
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Clients whose connection the server closed (EOF seen).
    private(set) var closed: Set<Int> = []

    init(_ clients: [TestWebSocketClient]) {
        self.clients = clients
        fds = clients.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
    }

    deinit { scratch.deallocate() }

    /// Reads until `done()` holds or `timeout` seconds pass, handing every frame to `handle` with
    /// its client's index, in each client's order. Returns whether `done()` held.
    ///
    /// `pause` (seconds) is slept before each `poll`, so that a stream of small messages is read
    /// many per `recv` instead of one (a thousand sockets cost a thousand syscalls a round).
    @discardableResult
    func run(timeout: Double, pause: Double = 0, until done: () -> Bool, _ handle: (Int, TestFrame) throws -> Void) throws -> Bool {
        let deadline = TestDeadline(seconds: timeout)
        var frames: [TestFrame] = []
        while !done() {
            if deadline.hasPassed { return false }
            if pause > 0 { usleep(UInt32(pause * 1e6)) }
            let wait = Int32(min(50, max(1, (deadline.remaining * 1000).rounded(.up))))
            let rc = poll(&fds, nfds_t(fds.count), wait)
            if rc < 0 {
                if errno == EINTR { continue }
                throw TestSocket.Failure.receive(errno)
            }
            if rc == 0 { continue }
            for i in fds.indices where fds[i].revents != 0 {
                fds[i].revents = 0
                frames.removeAll(keepingCapacity: true)
                let open = try clients[i].readAvailableFrames(into: &frames, scratch: scratch)
                for f in frames { try handle(i, f) }
                if !open {
                    closed.insert(i)
                    fds[i].fd = -1  // poll ignores negative descriptors
                }
            }
        }
        return true
    }

    /// Reads for `seconds` and returns every frame that arrived, for checking that nothing more
    /// comes.
    func collect(for seconds: Double) throws -> [(Int, TestFrame)] {
        var got: [(Int, TestFrame)] = []
        try run(timeout: seconds, until: { false }) { i, f in got.append((i, f)) }
        return got
    }
}

import WSProtocol

/// What a connection does in its mode.
enum Role {
    case subscriber, publisher, echo, idle
}

/// Per-subscriber integrity record; survives reconnects in churn mode.
final class Tracker {
    let id: Int
    var epoch = ""
    /// The last offset received (or the subscribe reply's offset); -1 before the first subscribe.
    var lastOffset = -1
    var baseOffset = -1
    var received = 0
    var lost = 0
    var duplicates = 0
    var reordered = 0
    var recoverFailed = 0
    var reconnects = 0
    var complete = false
    /// Fan-out: last sequence number seen per publisher.
    var lastSeq: [Int]

    init(id: Int, publishers: Int) {
        self.id = id
        lastSeq = [Int](repeating: 0, count: publishers)
    }

    /// Records a publication's offset; false when it was not the next one.
    @inline(__always)
    func record(offset: Int) {
        if offset == lastOffset + 1 {
            received += 1
            lastOffset = offset
        } else if offset <= lastOffset {
            duplicates += 1
        } else {
            lost += offset - lastOffset - 1
            received += 1
            lastOffset = offset
        }
    }
}

enum ClientState {
    case connecting, handshaking, open, closed
}

/// One client WebSocket: socket, handshake, frame parsing and output buffer. Owned by one loop.
final class Client {
    let fd: Int32
    let token: UInt64
    let id: Int
    let role: Role
    let path: String
    var state = ClientState.connecting
    let out = ByteBuffer(capacity: 256)
    var wantsWrite = false
    var needsFlush = false
    var head: [UInt8] = []
    var key = ""
    var parser = WebSocketFrameParser(options: .init(requireMask: false, allowRSV1: true))
    var inflater: Inflater?
    var noContextTakeover = true
    var inMessage = false
    var messageCompressed = false
    let message = ByteBuffer(capacity: 64)
    var inflated: [UInt8] = []
    var control: [UInt8] = []
    var welcomed = false
    var ready = false

    // Roles.
    var tracker: Tracker?
    var sent = 0
    var acked = 0
    var quota = 0
    var nextSendNs: UInt64 = 0
    var intervalNs: UInt64 = 0
    var echoTimes: [UInt64] = []
    var echoNextReceive = 0
    var closeAtNs: UInt64 = 0
    var recovering = false

    init(fd: Int32, token: UInt64, id: Int, role: Role, path: String) {
        self.fd = fd
        self.token = token
        self.id = id
        self.role = role
        self.path = path
    }

    var outstanding: Int { sent - acked }

    /// Queues one masked frame (RFC 6455 §5.3: every client frame is masked).
    func queueFrame(_ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer, maskKey: UInt32) {
        let n = payload.count
        let h = WebSocketFrameEncoder.headerSize(payloadLength: n, masked: true)
        let p = out.reserve(h + n)
        WebSocketFrameEncoder.writeHeader(to: p, opcode: opcode, payloadLength: n, maskKey: maskKey)
        if n > 0 {
            (p + h).copyMemory(from: payload.baseAddress!, byteCount: n)
            WebSocketMasking.apply(UnsafeMutableRawBufferPointer(start: p + h, count: n), keyWord: maskKey, offset: 0)
        }
        out.commit(h + n)
    }
}

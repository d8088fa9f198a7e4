/// Turns the byte stream of one connection into whole messages and control frames, enforcing the
/// rules that span frames: continuation sequencing (§5.4), UTF-8 of text across fragments (§8.1,
/// failing on the first bad byte), close payloads (§5.5.1, §7.4), message and fragment limits, and
/// permessage-deflate decompression (RFC 7692 §6.2) with a bound on the inflated size.
///
/// Not Sendable when it holds an `Inflater`: it belongs to the connection's event loop.
public struct WebSocketMessageReader {
    /// Limits and negotiated features.
    public struct Options {
        /// Largest message, after inflation, in bytes (larger → 1009).
        public var maxMessageBytes: Int
        /// Most frames one message may span; 0 means no limit.
        public var maxFragments: Int
        /// Client frames must be masked (a server reading a client).
        public var requireMask: Bool
        /// The inflater, when permessage-deflate was negotiated.
        public var inflater: Inflater?
        /// The client agreed to `client_no_context_takeover`: reset the inflater after each message.
        public var noContextTakeover: Bool

        /// Options; without an inflater, RSV1 fails the connection.
        public init(maxMessageBytes: Int = 1 << 20, maxFragments: Int = 0, requireMask: Bool = true,
                    inflater: Inflater? = nil, noContextTakeover: Bool = false) {
            self.maxMessageBytes = maxMessageBytes
            self.maxFragments = maxFragments
            self.requireMask = requireMask
            self.inflater = inflater
            self.noContextTakeover = noContextTakeover
        }
    }

    /// What the reader produced.
    public enum Event {
        /// The input is used up; feed more.
        case needMore
        /// A whole text message, valid UTF-8.
        case text([UInt8])
        /// A whole binary message.
        case binary([UInt8])
        /// A ping with its payload (answer with a pong carrying the same bytes, §5.5.3).
        case ping([UInt8])
        /// A pong.
        case pong([UInt8])
        /// A valid close frame: its code (nil when the body was empty) and reason.
        case close(code: UInt16?, reason: String)
        /// A violation: send a close with `error.closeCode` and stop reading.
        case failed(WebSocketError)
    }

    private var parser: WebSocketFrameParser
    private let options: Options
    private var message: [UInt8] = []
    private var messageOpcode: WebSocketOpcode?
    private var compressed = false
    private var fragments = 0
    private var utf8 = UTF8Validator()
    private var control: [UInt8] = []
    private var failure: WebSocketError?
    /// How often the message buffer was grown ahead of a fragment; tests check it stays logarithmic.
    private(set) var bufferGrowths = 0

    /// A reader at the start of a connection's stream.
    public init(options: Options = Options()) {
        self.options = options
        self.parser = WebSocketFrameParser(options: .init(
            requireMask: options.requireMask,
            allowRSV1: options.inflater != nil,
            // A compressed frame is bounded by the inflated limit too: deflate never shrinks
            // data below ~1/1032, but a compressed frame over the limit is refused outright.
            maxPayloadLength: options.maxMessageBytes))
    }

    /// Whether a fragmented data message is open.
    public var isInMessage: Bool { messageOpcode != nil }

    /// Consumes bytes from the front of `input` until there is an event. Payloads are unmasked in
    /// place in `input`.
    public mutating func next(_ input: inout UnsafeMutableRawBufferPointer) -> Event {
        if let failure { return .failed(failure) }
        while true {
            switch parser.next(&input) {
            case .needMore: return .needMore
            case .failed(let e): return fail(e)
            case .chunk(let h, let bytes, let first, let last):
                if h.opcode.isControl {
                    if let event = controlChunk(h, bytes, first: first, last: last) { return event }
                } else {
                    if let event = dataChunk(h, bytes, first: first, last: last) { return event }
                }
            }
        }
    }

    private mutating func fail(_ e: WebSocketError) -> Event {
        failure = e
        message = []
        return .failed(e)
    }

    private mutating func controlChunk(_ h: WebSocketFrameHeader, _ bytes: UnsafeMutableRawBufferPointer,
                                       first: Bool, last: Bool) -> Event? {
        if first { control.removeAll(keepingCapacity: true) }
        control.append(contentsOf: UnsafeRawBufferPointer(bytes))
        guard last else { return nil }
        let payload = control
        switch h.opcode {
        case .ping: return .ping(payload)
        case .pong: return .pong(payload)
        default:
            if payload.isEmpty { return .close(code: nil, reason: "") }
            if payload.count == 1 { return fail(.invalidClosePayload) }
            let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
            guard WebSocketCloseCode.isValidOnWire(code) else { return fail(.invalidCloseCode(code)) }
            let reason = Array(payload[2...])
            guard UTF8Validator.isValid(reason) else { return fail(.invalidUTF8) }
            return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
        }
    }

    private mutating func dataChunk(_ h: WebSocketFrameHeader, _ bytes: UnsafeMutableRawBufferPointer,
                                    first: Bool, last: Bool) -> Event? {
        if first {
            if h.opcode == .continuation {
                guard messageOpcode != nil else { return fail(.unexpectedContinuation) }
            } else {
                guard messageOpcode == nil else { return fail(.expectedContinuation) }
                messageOpcode = h.opcode
                compressed = h.rsv1
                fragments = 0
                utf8.reset()
            }
            fragments += 1
            if options.maxFragments > 0 && fragments > options.maxFragments {
                return fail(.tooManyFragments(limit: options.maxFragments))
            }
            if !compressed {
                let total = message.count + h.payloadLength
                if total > options.maxMessageBytes { return fail(.messageTooBig(limit: options.maxMessageBytes)) }
                // Grow geometrically: reserving exactly `total` per fragment reallocates and copies
                // the whole message each time, quadratic in the fragment count (Autobahn 9.3.1, 4 MiB
                // in 64-byte fragments, held a loop for 16 s that way and starved its neighbours).
                if total > message.capacity {
                    bufferGrowths += 1
                    message.reserveCapacity(Swift.max(total, Swift.min(message.capacity * 2, options.maxMessageBytes)))
                }
            }
        }
        let isText = messageOpcode == .text
        if compressed, let inflater = options.inflater {
            let before = message.count
            do {
                try inflater.inflate(UnsafeRawBufferPointer(bytes), into: &message, limit: options.maxMessageBytes)
                if last && h.fin {
                    try inflater.finishMessage(into: &message, limit: options.maxMessageBytes,
                                               noContextTakeover: options.noContextTakeover)
                }
            } catch {
                return fail(error == .tooBig ? .messageTooBig(limit: options.maxMessageBytes) : .inflateFailed)
            }
            if isText {
                let ok = message.withUnsafeBytes { utf8.validate(UnsafeRawBufferPointer(rebasing: $0[before...])) }
                if !ok { return fail(.invalidUTF8) }
            }
        } else {
            if isText && !utf8.validate(UnsafeRawBufferPointer(bytes)) { return fail(.invalidUTF8) }
            message.append(contentsOf: UnsafeRawBufferPointer(bytes))
        }
        guard last && h.fin else { return nil }
        if isText && !utf8.isComplete { return fail(.invalidUTF8) }
        let done = message
        message = []
        messageOpcode = nil
        return isText ? .text(done) : .binary(done)
    }
}

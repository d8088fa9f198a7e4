/// The incremental frame parser: a value-type state machine fed arbitrary chunks of the byte
/// stream (RFC 6455 §5). It never buffers a frame: it keeps at most a partial header (≤ 14 bytes),
/// unmasks payload bytes in place in the caller's buffer, and hands them out as they arrive.
///
/// Every header rule of §5 is checked in one place (`check`), as soon as the header is complete,
/// before any payload is read. Rules that span frames (continuation sequencing, UTF-8, message
/// size) belong to `WebSocketMessageReader`.
public struct WebSocketFrameParser: Sendable {
    /// What the parser accepts.
    public struct Options: Sendable, Equatable {
        /// Client-to-server frames MUST be masked (§5.1); a client parsing server frames sets false.
        public var requireMask: Bool
        /// RSV1 may be set on a message's first frame: permessage-deflate was negotiated (RFC 7692 §6).
        public var allowRSV1: Bool
        /// Data frames longer than this fail at once, before any payload is read.
        public var maxPayloadLength: Int

        /// Options with the server's defaults.
        public init(requireMask: Bool = true, allowRSV1: Bool = false, maxPayloadLength: Int = Int.max) {
            self.requireMask = requireMask
            self.allowRSV1 = allowRSV1
            self.maxPayloadLength = maxPayloadLength
        }
    }

    /// What one step of the parser produced.
    public enum Event {
        /// The input is used up; feed more.
        case needMore
        /// Unmasked payload bytes of `header`'s frame, a slice of the caller's input. `first` marks
        /// the frame's first chunk and `last` its last; an empty frame is one chunk with both set.
        case chunk(WebSocketFrameHeader, UnsafeMutableRawBufferPointer, first: Bool, last: Bool)
        /// A rule was broken; the parser stays failed.
        case failed(WebSocketError)
    }

    /// The options in force (RSV1 may be enabled once the handshake negotiated deflate).
    public var options: Options

    private var partial: [UInt8] = []
    private var header = WebSocketFrameHeader(firstByte: 0, payloadLength: 0, isMasked: false, maskKey: 0)
    private var inPayload = false
    private var position = 0
    private var failure: WebSocketError?

    /// A parser at the start of a stream.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Consumes bytes from the front of `input` until it has something to report. Payload bytes are
    /// unmasked in place, so `input` must be writable and stay alive while the chunk is used.
    public mutating func next(_ input: inout UnsafeMutableRawBufferPointer) -> Event {
        if let failure { return .failed(failure) }
        if !inPayload {
            switch readHeader(&input) {
            case .needMore: return .needMore
            case .failed(let error):
                failure = error
                return .failed(error)
            case .ready: break
            }
        }
        let remaining = header.payloadLength - position
        if remaining > 0 && input.isEmpty { return .needMore }
        let n = min(remaining, input.count)
        let chunk = UnsafeMutableRawBufferPointer(rebasing: input[0..<n])
        input = UnsafeMutableRawBufferPointer(rebasing: input[n...])
        if header.isMasked {
            WebSocketMasking.apply(chunk, keyWord: header.maskKey, offset: position)
        }
        let first = position == 0
        position += n
        let last = position == header.payloadLength
        if last { inPayload = false }
        return .chunk(header, chunk, first: first, last: last)
    }

    private enum HeaderStep { case needMore, ready, failed(WebSocketError) }

    private mutating func readHeader(_ input: inout UnsafeMutableRawBufferPointer) -> HeaderStep {
        if partial.isEmpty {
            // Fast path: the whole header is in this chunk.
            switch Self.decode(UnsafeRawBufferPointer(input)) {
            case .header(let h, let size):
                input = UnsafeMutableRawBufferPointer(rebasing: input[size...])
                return begin(h)
            case .failed(let e): return .failed(e)
            case .needMore:
                partial.reserveCapacity(14)
                partial.append(contentsOf: UnsafeRawBufferPointer(input))
                input = UnsafeMutableRawBufferPointer(rebasing: input[input.count...])
                return .needMore
            }
        }
        // Slow path: the header straddles chunks. Take bytes one by one until it decodes; at
        // most 14 are ever held.
        while !input.isEmpty {
            partial.append(input[0])
            input = UnsafeMutableRawBufferPointer(rebasing: input[1...])
            let result = partial.withUnsafeBytes { Self.decode($0) }
            switch result {
            case .needMore: continue
            case .failed(let e): return .failed(e)
            case .header(let h, _):
                partial.removeAll(keepingCapacity: true)
                return begin(h)
            }
        }
        return .needMore
    }

    private mutating func begin(_ h: WebSocketFrameHeader) -> HeaderStep {
        if let error = check(h) { return .failed(error) }
        header = h
        position = 0
        inPayload = true
        return .ready
    }

    /// Every per-frame rule of §5 (and RFC 7692 §6 for RSV1), in one place.
    private func check(_ h: WebSocketFrameHeader) -> WebSocketError? {
        let op = h.opcode
        if h.rsv2 || h.rsv3 { return .reservedBits }
        if h.rsv1 && (!options.allowRSV1 || op.isControl || op == .continuation) { return .reservedBits }
        if op.isReserved { return .reservedOpcode(op.rawValue) }
        if op.isControl {
            if !h.fin { return .fragmentedControlFrame }
            if h.payloadLength > 125 { return .controlFrameTooLong }
        }
        if options.requireMask && !h.isMasked { return .unmaskedFrame }
        if !op.isControl && h.payloadLength > options.maxPayloadLength {
            return .messageTooBig(limit: options.maxPayloadLength)
        }
        return nil
    }

    private enum Decoded { case needMore, header(WebSocketFrameHeader, size: Int), failed(WebSocketError) }

    /// Decodes a header from the front of `bytes`, or says it needs more.
    private static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        guard bytes.count >= 2 else { return .needMore }
        let b0 = bytes[0], b1 = bytes[1]
        let masked = b1 & 0x80 != 0
        let len7 = Int(b1 & 0x7F)
        let extra = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0)
        let size = 2 + extra + (masked ? 4 : 0)
        guard bytes.count >= size else { return .needMore }
        var length = len7
        if len7 == 126 {
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            if length < 126 { return .failed(.nonMinimalLength) }
        } else if len7 == 127 {
            var l: UInt64 = 0
            for i in 2..<10 { l = l << 8 | UInt64(bytes[i]) }
            if l & (1 << 63) != 0 { return .failed(.lengthTooLarge) }
            if l <= 0xFFFF { return .failed(.nonMinimalLength) }
            length = Int(l)
        }
        var key: UInt32 = 0
        if masked {
            let k = 2 + extra
            key = WebSocketMasking.keyWord((bytes[k], bytes[k + 1], bytes[k + 2], bytes[k + 3]))
        }
        return .header(WebSocketFrameHeader(firstByte: b0, payloadLength: length, isMasked: masked, maskKey: key), size: size)
    }
}

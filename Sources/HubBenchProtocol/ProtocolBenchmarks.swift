import WSProtocol

/// The benchmarks of the protocol core, one function each.
///
/// Unmasking is in place, so a second pass over the same frame buffer sees the payloads XORed
/// back to their masked form. For binary frames neither the parser nor the reader looks at the
/// payload, and the work (load, XOR, store) is the same either way, so the benchmarks re-use the
/// buffer and let each pass toggle it rather than re-copy a pristine buffer per pass. Each
/// benchmark checks its result once, on the first pass, before it is timed.
enum ProtocolBenchmarks {
    static func all(_ r: inout BenchRunner) {
        parserSmallFrames(&r)
        readerSmallFrames(&r)
        parserLargeFrames(&r)
        masking(&r)
        utf8ASCII(&r)
        utf8Mixed(&r)
        deflate(&r)
        inflate(&r)
        encodeHeader(&r)
        encodeFrame(&r)
    }

    static let smallFrames = 16 * 1024
    static let smallPayload = 64
    static let largeFrames = 16
    static let largePayload = 64 * 1024

    /// Parses every frame of `buffer` with `parser`; sums payload sizes and first bytes.
    @inline(__always)
    static func parseAll(_ parser: inout WebSocketFrameParser, _ buffer: UnsafeMutableRawBufferPointer) -> UInt64 {
        var input = buffer
        var sum: UInt64 = 0
        while true {
            switch parser.next(&input) {
            case .chunk(_, let payload, _, _):
                sum &+= UInt64(payload.count)
                if !payload.isEmpty { sum &+= UInt64(payload[0]) }
            case .needMore:
                return sum
            case .failed(let e):
                fatalError("parser failed: \(e)")
            }
        }
    }

    /// 1a. 16 K consecutive 64-byte masked binary frames (70 bytes each on the wire), parsed and
    /// unmasked by the low-level parser. MB/s counts wire bytes.
    static func parserSmallFrames(_ r: inout BenchRunner) {
        guard r.wants("parser_64B") else { return }
        let payload = ProtocolFixtures.bytes(smallPayload, seed: 1)
        let buffer = ProtocolFixtures.clientFrames(count: smallFrames, payload: payload)
        var parser = WebSocketFrameParser()
        verifyFirstPass(&parser, buffer, payload: payload, frames: smallFrames)
        r.run("parser_64B", [
            .millions("frames", key: "mfps", perBatch: smallFrames),
            .megabytes(perBatch: buffer.count),
        ]) { parseAll(&parser, buffer) }
    }

    /// 1b. The same frames through `WebSocketMessageReader`: one `[UInt8]` allocated per message.
    static func readerSmallFrames(_ r: inout BenchRunner) {
        guard r.wants("reader_64B") else { return }
        let payload = ProtocolFixtures.bytes(smallPayload, seed: 1)
        let buffer = ProtocolFixtures.clientFrames(count: smallFrames, payload: payload)
        var reader = WebSocketMessageReader()
        var first = true
        r.run("reader_64B", [
            .millions("msgs", key: "mmps", perBatch: smallFrames),
            .megabytes(perBatch: buffer.count),
        ]) {
            var input = buffer
            var sum: UInt64 = 0
            var n = 0
            while true {
                switch reader.next(&input) {
                case .binary(let m):
                    if first { precondition(m == payload, "reader: wrong payload") }
                    sum &+= UInt64(m.count) &+ UInt64(m[0])
                    n += 1
                case .needMore:
                    precondition(n == smallFrames, "reader: \(n) messages")
                    first = false
                    return sum
                default:
                    fatalError("reader: unexpected event")
                }
            }
        }
    }

    /// 2. 16 consecutive 64 KiB masked binary frames (14-byte headers), parsed and unmasked.
    static func parserLargeFrames(_ r: inout BenchRunner) {
        guard r.wants("parser_64KiB") else { return }
        let payload = ProtocolFixtures.bytes(largePayload, seed: 2)
        let buffer = ProtocolFixtures.clientFrames(count: largeFrames, payload: payload)
        var parser = WebSocketFrameParser()
        verifyFirstPass(&parser, buffer, payload: payload, frames: largeFrames)
        r.run("parser_64KiB", [
            .megabytes(perBatch: buffer.count),
            .millions("frames", key: "mfps", perBatch: largeFrames),
        ]) { parseAll(&parser, buffer) }
    }

    /// The first pass unmasks to exactly `payload` in every one of `frames` frames.
    static func verifyFirstPass(_ parser: inout WebSocketFrameParser, _ buffer: UnsafeMutableRawBufferPointer,
                                payload: [UInt8], frames: Int) {
        var input = buffer
        var n = 0
        while case .chunk(let h, let bytes, let first, let last) = parser.next(&input) {
            precondition(first && last && h.opcode == .binary && h.fin, "parser: frame \(n) split")
            precondition(bytes.elementsEqual(payload), "parser: frame \(n) unmasked wrongly")
            n += 1
        }
        precondition(n == frames, "parser: \(n) frames")
        _ = parseAll(&parser, buffer)  // toggle back to the masked form, for symmetry with the timed runs
    }

    /// 3. `WebSocketMasking.apply` alone on 64 KiB, at payload offset 0 (eight bytes at a time).
    static func masking(_ r: inout BenchRunner) {
        guard r.wants("mask_64KiB") else { return }
        let buffer = ProtocolFixtures.allocate(largePayload)
        let original = ProtocolFixtures.bytes(largePayload, seed: 3)
        buffer.copyBytes(from: original)
        let key: UInt32 = 0x3712_A5C4
        WebSocketMasking.apply(buffer, keyWord: key, offset: 0)
        WebSocketMasking.apply(buffer, keyWord: key, offset: 0)
        precondition(buffer.elementsEqual(original), "masking is not an involution")
        r.run("mask_64KiB", [.megabytes(perBatch: largePayload)]) {
            WebSocketMasking.apply(buffer, keyWord: key, offset: 0)
            return UInt64(buffer[0]) &+ UInt64(buffer[largePayload - 1])
        }
    }

    static func validate(_ buffer: UnsafeMutableRawBufferPointer) -> UInt64 {
        var v = UTF8Validator()
        guard v.validate(UnsafeRawBufferPointer(buffer)), v.isComplete else { fatalError("UTF-8: invalid") }
        return UInt64(buffer.count)
    }

    /// 4a. UTF-8 validation of 64 KiB of ASCII (JSON-like text): the sixteen-byte fast path.
    static func utf8ASCII(_ r: inout BenchRunner) {
        guard r.wants("utf8_ascii_64KiB") else { return }
        let text = ProtocolFixtures.text(
            repeating: "{\"type\":\"publish\",\"topic\":\"chat.room-17\",\"text\":\"hello, world\"}\n",
            count: largePayload)
        r.run("utf8_ascii_64KiB", [.megabytes(perBatch: largePayload)]) { validate(text) }
    }

    /// 4b. UTF-8 validation of 64 KiB of "κόσμε€😀abc" repeated: 2-, 3- and 4-byte sequences.
    static func utf8Mixed(_ r: inout BenchRunner) {
        guard r.wants("utf8_mixed_64KiB") else { return }
        let text = ProtocolFixtures.text(repeating: "κόσμε€😀abc", count: largePayload)
        r.run("utf8_mixed_64KiB", [.megabytes(perBatch: largePayload)]) { validate(text) }
    }

    static let jsonSize = 1024
    static let deflateBatch = 8

    /// 5a. Deflate of a 1 KiB JSON message, no context takeover (a fresh window each message, as
    /// the hub negotiates), into a reused output array. MB/s counts uncompressed bytes.
    static func deflate(_ r: inout BenchRunner) {
        guard r.wants("deflate_1KiB") else { return }
        let message = ProtocolFixtures.jsonMessage(count: jsonSize)
        let deflater = Deflater(windowBits: 15)
        var out: [UInt8] = []
        out.reserveCapacity(2 * jsonSize)
        let compressed = deflater.compressMessage(message, noContextTakeover: true)
        print("  (1 KiB JSON deflates to \(compressed.count) bytes)")
        r.run("deflate_1KiB", [
            .micros(per: "msg", perBatch: deflateBatch),
            .megabytes(perBatch: deflateBatch * jsonSize),
        ]) {
            var sum: UInt64 = 0
            message.withUnsafeBytes { input in
                for _ in 0..<deflateBatch {
                    out.removeAll(keepingCapacity: true)
                    deflater.compressMessage(input, noContextTakeover: true, into: &out)
                    sum &+= UInt64(out.count)
                }
            }
            return sum
        }
    }

    static let inflateBatch = 32

    /// 5b. Inflate of that message as the reader does it (`inflate` + `finishMessage`, no context
    /// takeover) into a reused output array. MB/s counts uncompressed bytes.
    static func inflate(_ r: inout BenchRunner) {
        guard r.wants("inflate_1KiB") else { return }
        let message = ProtocolFixtures.jsonMessage(count: jsonSize)
        let compressed = Deflater(windowBits: 15).compressMessage(message, noContextTakeover: true)
        let inflater = Inflater(windowBits: 15)
        var out: [UInt8] = []
        out.reserveCapacity(2 * jsonSize)
        do {
            let roundTrip = try inflater.inflateMessage(compressed, limit: 1 << 20, noContextTakeover: true)
            precondition(roundTrip == message, "inflate: round trip differs")
        } catch {
            fatalError("inflate: \(error)")
        }
        r.run("inflate_1KiB", [
            .micros(per: "msg", perBatch: inflateBatch),
            .megabytes(perBatch: inflateBatch * jsonSize),
        ]) {
            var sum: UInt64 = 0
            compressed.withUnsafeBytes { input in
                for _ in 0..<inflateBatch {
                    out.removeAll(keepingCapacity: true)
                    do {
                        try inflater.inflate(input, into: &out, limit: 1 << 20)
                        try inflater.finishMessage(into: &out, limit: 1 << 20, noContextTakeover: true)
                    } catch {
                        fatalError("inflate: \(error)")
                    }
                    sum &+= UInt64(out.count)
                }
            }
            return sum
        }
    }

    /// 6a. Encoding 16 K unmasked 64-byte server frames the zero-copy way: `writeHeader` into a
    /// preallocated output, then the payload copied behind it (66 bytes per frame).
    static func encodeHeader(_ r: inout BenchRunner) {
        guard r.wants("encode_64B") else { return }
        let payload = ProtocolFixtures.allocate(smallPayload)
        payload.copyBytes(from: ProtocolFixtures.bytes(smallPayload, seed: 4))
        let frameSize = WebSocketFrameEncoder.headerSize(payloadLength: smallPayload) + smallPayload
        let out = ProtocolFixtures.allocate(smallFrames * frameSize)
        r.run("encode_64B", [
            .millions("frames", key: "mfps", perBatch: smallFrames),
            .megabytes(perBatch: out.count),
        ]) {
            var p = out.baseAddress!
            for _ in 0..<smallFrames {
                let n = WebSocketFrameEncoder.writeHeader(to: p, opcode: .binary, payloadLength: smallPayload)
                (p + n).copyMemory(from: payload.baseAddress!, byteCount: smallPayload)
                p += n + smallPayload
            }
            return UInt64(out[0]) &+ UInt64(out[out.count - 1])
        }
        precondition(out[0] == 0x82 && out[1] == UInt8(smallPayload), "encoder: wrong header")
    }

    static let frameBatch = 1024

    /// 6b. `WebSocketFrameEncoder.frame`, the convenience that returns a new `[UInt8]` per frame.
    static func encodeFrame(_ r: inout BenchRunner) {
        guard r.wants("encode_frame_64B") else { return }
        let payload = ProtocolFixtures.bytes(smallPayload, seed: 4)
        r.run("encode_frame_64B", [.millions("frames", key: "mfps", perBatch: frameBatch)]) {
            var sum: UInt64 = 0
            for _ in 0..<frameBatch {
                let f = WebSocketFrameEncoder.frame(.binary, payload: payload)
                sum &+= UInt64(f.count) &+ UInt64(f[f.count - 1])
            }
            return sum
        }
    }
}

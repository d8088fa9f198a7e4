import CZlib

/// Raw-deflate decompressor (RFC 7692 §7.2.2). Not thread-safe.
///
/// One instance holds one zlib stream for one direction of one connection, so a window shared
/// across messages (context takeover, §7.1.1) survives between them. Output is produced in bounded
/// chunks and checked against a caller-supplied limit, so a small payload that inflates to gigabytes
/// (a zip bomb) costs at most `limit` bytes plus one 16 KiB scratch chunk.
///
/// Error policy: after any thrown error the stream is reset (window dropped), because the peer's
/// and our view of the window can no longer be trusted; the caller is expected to fail the
/// connection (see `InflateError.closeCode`).
///
/// BFINAL policy: a peer may end a message with a DEFLATE block whose BFINAL bit is set (§7.2.3.4),
/// which ends zlib's stream. Bytes after it (at least the appended `00 00 ff ff`) are decoded as a
/// new raw stream that starts with the old window preloaded, so a peer that keeps referring to
/// earlier messages after BFINAL still decodes, and one that starts afresh loses nothing.
public final class Inflater {
    /// The LZ77 window size as a base-2 logarithm, 8...15: must be at least the peer's negotiated
    /// `*_max_window_bits` (§7.1.2).
    public let windowBits: Int

    /// zlib's internal state keeps a back pointer to its `z_stream` and checks it on every call, so the
    /// stream lives at one heap address for the life of the decompressor.
    private let stream: UnsafeMutablePointer<z_stream>
    /// Inflate writes here first; only checked chunks are appended to the caller's buffer.
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchSize = 16 * 1024
    /// Largest slice handed to zlib at once: `avail_in` is a 32-bit `uInt`.
    private static let maxInputSlice = 1 << 30
    /// The window saved across a BFINAL restart; allocated only if a peer ever sets BFINAL.
    private var dictionary: UnsafeMutablePointer<UInt8>?
    /// Whether any payload byte of the current message has been fed (see `finishMessage`).
    private var messageHasInput = false

    /// The `00 00 ff ff` that the sender removed from the end of every message (§7.2.1, §7.2.2).
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// Creates a raw-inflate stream (no zlib header or checksum, as §7.2.2 requires).
    ///
    /// - Parameter windowBits: 8...15, at least the window the peer compresses with (§7.1.2).
    /// - Precondition: `windowBits` is in range and zlib could allocate its state.
    public init(windowBits: Int = 15) {
        precondition((8...15).contains(windowBits), "windowBits must be 8...15 (RFC 7692 §7.1.2)")
        self.windowBits = windowBits
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: Self.scratchSize)
        let rc = czlib_inflate_init_raw(stream, Int32(windowBits))
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
        dictionary?.deallocate()
    }

    /// Feeds compressed bytes of the current message; APPENDS inflated bytes to `output`. Throws .tooBig as soon as output.count would exceed `limit` (a zip bomb must never exhaust memory: inflate in bounded chunks, e.g. 16 KiB scratch buffer owned by the Inflater, and check after each), .corrupt on a zlib data error.
    ///
    /// Call it once per frame payload of a compressed message (§7.2.2 applies to the whole message,
    /// whatever its fragmentation), then `finishMessage` after the frame with FIN set.
    ///
    /// - Parameters:
    ///   - input: compressed payload bytes, in order; any split is fine, including empty pieces.
    ///   - output: inflated bytes are APPENDED; on `.tooBig` it holds at most `limit` bytes.
    ///   - limit: the largest `output.count` allowed, including bytes already in `output`.
    /// - Throws: `.tooBig` or `.corrupt`; the stream is reset afterwards.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(InflateError) {
        if input.isEmpty { return }
        messageHasInput = true
        do throws(InflateError) {
            try feed(input, into: &output, limit: limit)
        } catch {
            resetStream()
            throw error
        }
    }

    /// Ends the message: inflates the 00 00 ff ff tail that the sender removed (§7.2.2), then with `noContextTakeover` resets the stream (inflateReset).
    ///
    /// A correct sender always ends a message with an empty stored block (§7.2.1), so after the tail
    /// the stream must sit on a block boundary; if it does not, the message was truncated or
    /// garbage and `.corrupt` is thrown, rather than letting the next message be misparsed.
    /// A message with no payload bytes at all (which §7.2.1 never produces, but some peers send for
    /// an empty message) is accepted as empty and leaves the window untouched.
    ///
    /// - Parameters:
    ///   - output: any last inflated bytes are APPENDED.
    ///   - limit: as for `inflate(_:into:limit:)`.
    ///   - noContextTakeover: `true` when the peer agreed not to reuse its window (§7.1.1.1, §7.1.1.2).
    /// - Throws: `.tooBig` or `.corrupt`; the stream is reset afterwards.
    public func finishMessage(into output: inout [UInt8], limit: Int, noContextTakeover: Bool) throws(InflateError) {
        defer { messageHasInput = false }
        guard messageHasInput else {
            if noContextTakeover { resetStream() }
            return
        }
        do throws(InflateError) {
            // withUnsafeBytes is `rethrows` (untyped), so the typed error travels out in a Result.
            try Self.tail.withUnsafeBytes { tail in
                Result { () throws(InflateError) in try feed(tail, into: &output, limit: limit) }
            }.get()
            // data_type bit 128: inflate stopped right after a block ended, before the next header.
            if stream.pointee.data_type & 128 == 0 { throw InflateError.corrupt }
        } catch {
            resetStream()
            throw error
        }
        if noContextTakeover { resetStream() }
    }

    /// Drops the window and any partial message, as if freshly created.
    ///
    /// Used for `*_no_context_takeover` (§7.1.1.1, §7.1.1.2) and after an error.
    public func reset() {
        resetStream()
        messageHasInput = false
    }

    /// Inflates one whole compressed message payload (§7.2.2) and returns it.
    ///
    /// Convenience over `inflate(_:into:limit:)` + `finishMessage(into:limit:noContextTakeover:)` for
    /// tests and cold paths.
    public func inflateMessage(_ input: [UInt8], limit: Int, noContextTakeover: Bool) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        try input.withUnsafeBytes { bytes in
            Result { () throws(InflateError) in try inflate(bytes, into: &output, limit: limit) }
        }.get()
        try finishMessage(into: &output, limit: limit, noContextTakeover: noContextTakeover)
        return output
    }

    // MARK: - zlib driving

    private func resetStream() {
        let rc = inflateReset(stream)
        precondition(rc == Z_OK, "inflateReset failed: \(rc)")
    }

    private func feed(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(InflateError) {
        guard let base = input.baseAddress else { return }
        var offset = 0
        while offset < input.count {
            let sliceCount = min(input.count - offset, Self.maxInputSlice)
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: (base + offset).assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(sliceCount)
            defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
            try drain(into: &output, limit: limit)
            offset += sliceCount
        }
    }

    /// Runs inflate until all of `avail_in` is consumed and no output is pending.
    private func drain(into output: inout [UInt8], limit: Int) throws(InflateError) {
        while true {
            stream.pointee.next_out = scratch
            stream.pointee.avail_out = UInt32(Self.scratchSize)
            let rc = CZlib.inflate(stream, Z_NO_FLUSH)
            let produced = Self.scratchSize - Int(stream.pointee.avail_out)
            if produced > 0 {
                guard produced <= limit - output.count else { throw .tooBig }
                output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
            }
            switch rc {
            case Z_OK:
                // inflate stops only when input runs out or output is full; a full scratch may hide more.
                if stream.pointee.avail_out != 0 { return }
            case Z_BUF_ERROR:
                // No progress possible: every input byte is consumed and more is needed. Not an error.
                return
            case Z_STREAM_END:
                // The peer set BFINAL (§7.2.3.4). See the type's BFINAL policy.
                try restartAfterFinalBlock()
                if stream.pointee.avail_in == 0 { return }
            default:
                // Z_DATA_ERROR (bad data), and Z_NEED_DICT / Z_MEM_ERROR / Z_STREAM_ERROR, which a raw
                // stream should never report: the message cannot be decoded either way.
                throw .corrupt
            }
        }
    }

    /// Starts a new raw stream after BFINAL, carrying the window over so later back-references hold.
    private func restartAfterFinalBlock() throws(InflateError) {
        let windowSize = 1 << windowBits
        let saved: UnsafeMutablePointer<UInt8>
        if let dictionary {
            saved = dictionary
        } else {
            saved = .allocate(capacity: windowSize)
            dictionary = saved
        }
        var length: UInt32 = 0
        guard inflateGetDictionary(stream, saved, &length) == Z_OK else { throw .corrupt }
        // inflateReset keeps next_in/avail_in, so the rest of the input carries on in the new stream.
        guard inflateReset(stream) == Z_OK else { throw .corrupt }
        if length > 0 {
            guard inflateSetDictionary(stream, saved, length) == Z_OK else { throw .corrupt }
        }
    }
}

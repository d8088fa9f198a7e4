import CZlib

/// Raw-deflate compressor for permessage-deflate (RFC 7692 §7.2.1). Not thread-safe: owned by one event loop.
///
/// One instance holds one zlib stream for one direction of one connection, so the LZ77 window can be
/// shared across messages when context takeover is negotiated (§7.1.1). It is deliberately not
/// `Sendable`: the zlib state must only ever be touched by the thread that owns the connection.
public final class Deflater {
    /// The negotiated LZ77 window size as a base-2 logarithm, 8...15 (§7.1.2).
    ///
    /// This is the value the peer was told (`server_max_window_bits` / `client_max_window_bits`),
    /// even when zlib itself runs with 9 (see `init`).
    public let windowBits: Int

    /// zlib's internal state keeps a back pointer to its `z_stream` and checks it on every call, so the
    /// stream lives at one heap address for the life of the compressor.
    private let stream: UnsafeMutablePointer<z_stream>
    /// Output is produced into this fixed buffer and appended, so a call never over-allocates `output`.
    private let scratch: UnsafeMutablePointer<UInt8>
    private static let scratchSize = 16 * 1024
    /// Largest slice handed to zlib at once: `avail_in` is a 32-bit `uInt`.
    private static let maxInputSlice = 1 << 30

    /// Creates a raw-deflate stream (no zlib header or checksum, as §7.2.1 requires).
    ///
    /// - Parameters:
    ///   - windowBits: the negotiated window, 8...15 (§7.1.2.1, §7.1.2.2).
    ///   - level: zlib compression level, 0...9 (or -1 for zlib's default).
    ///   - memLevel: zlib hash memory level, 1...9; 8 is zlib's default.
    /// - Precondition: the parameters are in range and zlib could allocate its state.
    public init(windowBits: Int = 15, level: Int = 6, memLevel: Int = 8) {
        precondition((8...15).contains(windowBits), "windowBits must be 8...15 (RFC 7692 §7.1.2)")
        precondition((-1...9).contains(level), "level must be -1...9")
        precondition((1...9).contains(memLevel), "memLevel must be 1...9")
        self.windowBits = windowBits
        // zlib (since 1.2.9) rejects windowBits 8 for raw deflate, so 8 runs as 9. That is still safe
        // for a peer whose inflater has only a 256-byte window: zlib never emits a match distance above
        // MAX_DIST = w_size - MIN_LOOKAHEAD, which for a 512-byte window is 512 - 262 = 250 < 256.
        // The 9-bit stream is therefore also a valid 8-bit stream (tested in DeflaterTests).
        let zlibWindowBits = max(windowBits, 9)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: Self.scratchSize)
        let rc = czlib_deflate_init_raw(stream, Int32(level), Int32(zlibWindowBits), Int32(memLevel))
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Compresses one whole message: deflate with Z_SYNC_FLUSH, then strip the trailing 00 00 ff ff (§7.2.1). With `noContextTakeover` the stream is reset afterwards (deflateReset), so the next message starts with an empty window (§7.1.1.1).
    ///
    /// An empty message, or one that zlib has nothing to flush for, is sent as the single byte `00`
    /// (§7.2.3.6): a compressed payload must never be empty, because the receiver's appended
    /// `00 00 ff ff` is only the LEN/NLEN half of an empty stored block and needs that header byte.
    ///
    /// - Parameters:
    ///   - input: the whole uncompressed message payload.
    ///   - noContextTakeover: `true` when this side agreed not to reuse the window (§7.1.1.1, §7.1.1.2).
    ///   - output: the compressed payload is APPENDED here; existing bytes are left untouched.
    public func compressMessage(_ input: UnsafeRawBufferPointer, noContextTakeover: Bool, into output: inout [UInt8]) {
        let start = output.count
        var offset = 0
        repeat {
            let sliceCount = min(input.count - offset, Self.maxInputSlice)
            let isLast = offset + sliceCount == input.count
            if let base = input.baseAddress {
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: (base + offset).assumingMemoryBound(to: UInt8.self))
            } else {
                stream.pointee.next_in = nil
            }
            stream.pointee.avail_in = UInt32(sliceCount)
            drain(flush: isLast ? Z_SYNC_FLUSH : Z_NO_FLUSH, into: &output)
            offset += sliceCount
        } while offset < input.count
        stream.pointee.next_in = nil

        // Z_SYNC_FLUSH ends with an empty stored block whose last four bytes the receiver re-adds (§7.2.1).
        let produced = output.count - start
        if produced >= 4 && output[output.count - 4] == 0x00 && output[output.count - 3] == 0x00
            && output[output.count - 2] == 0xFF && output[output.count - 1] == 0xFF
        {
            output.removeLast(4)
        }
        if output.count == start {
            // zlib returns Z_BUF_ERROR with no output for an empty message right after a flush.
            output.append(0x00)
        }
        if noContextTakeover {
            let rc = deflateReset(stream)
            precondition(rc == Z_OK, "deflateReset failed: \(rc)")
        }
    }

    /// Compresses one whole message and returns the payload to send with RSV1 set (§6, §7.2.1).
    ///
    /// Convenience over `compressMessage(_:noContextTakeover:into:)` for tests and cold paths.
    public func compressMessage(_ input: [UInt8], noContextTakeover: Bool) -> [UInt8] {
        var output: [UInt8] = []
        input.withUnsafeBytes { compressMessage($0, noContextTakeover: noContextTakeover, into: &output) }
        return output
    }

    /// Runs deflate until zlib has consumed all of `avail_in` and has nothing left to write.
    private func drain(flush: Int32, into output: inout [UInt8]) {
        while true {
            stream.pointee.next_out = scratch
            stream.pointee.avail_out = UInt32(Self.scratchSize)
            let rc = deflate(stream, flush)
            // Z_BUF_ERROR only means "no progress was possible", e.g. an empty message after a flush.
            precondition(rc == Z_OK || rc == Z_BUF_ERROR, "deflate failed: \(rc)")
            let produced = Self.scratchSize - Int(stream.pointee.avail_out)
            if produced > 0 {
                output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
            }
            // A full scratch buffer may hide more pending output; otherwise zlib is done with this call.
            if stream.pointee.avail_out != 0 { return }
        }
    }
}

import Testing
@testable import WSProtocol

private let hello = Array("Hello".utf8)

/// RFC 7692 §7.2.3 payloads that all inflate to "Hello" on a fresh stream.
private let helloFixtures: [[UInt8]] = [
    [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00],  // §7.2.3.1 one compressed block
    [0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00],  // §7.2.3.3 stored block
    [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00],  // §7.2.3.4 BFINAL set
    [0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00],  // §7.2.3.5 two blocks
]

/// Feeds `compressed` in the given pieces, then finishes the message.
private func inflatePieces(
    _ inflater: Inflater, _ compressed: [UInt8], _ pieces: [Range<Int>], limit: Int, noContextTakeover: Bool
) throws(InflateError) -> [UInt8] {
    var out: [UInt8] = []
    for piece in pieces {
        let result = compressed[piece].withUnsafeBytes { bytes in
            Result { () throws(InflateError) in try inflater.inflate(bytes, into: &out, limit: limit) }
        }
        try result.get()
    }
    try inflater.finishMessage(into: &out, limit: limit, noContextTakeover: noContextTakeover)
    return out
}

@Suite struct InflaterTests {
    @Test(arguments: helloFixtures)
    func rfcFixturesInflateToHello(fixture: [UInt8]) throws {
        #expect(try Inflater().inflateMessage(fixture, limit: 5, noContextTakeover: true) == hello)
        #expect(throws: InflateError.tooBig) { try Inflater().inflateMessage(fixture, limit: 4, noContextTakeover: true) }
    }

    /// §7.2.3.4 ends zlib's stream; the window is kept, so a §7.2.3.2-style back-reference in the next
    /// message still decodes (the documented BFINAL policy).
    @Test func windowSurvivesBFinal() throws {
        let inflater = Inflater()
        #expect(try inflater.inflateMessage(helloFixtures[2], limit: 5, noContextTakeover: false) == hello)
        #expect(try inflater.inflateMessage([0xF2, 0x00, 0x11, 0x00, 0x00], limit: 5, noContextTakeover: false) == hello)
        // And again right after a BFINAL message, both in one stream.
        #expect(try inflater.inflateMessage(helloFixtures[2], limit: 5, noContextTakeover: false) == hello)
        #expect(try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: false) == hello)
    }

    /// §7.2.3.4 split: every fixture, cut at every position and at every pair of positions.
    @Test(arguments: helloFixtures)
    func everySplitOfFixtures(fixture: [UInt8]) throws {
        let n = fixture.count
        let inflater = Inflater()
        for i in 0...n {
            for j in i...n {
                let out = try inflatePieces(inflater, fixture, [0..<i, i..<j, j..<n], limit: 5, noContextTakeover: false)
                #expect(out == hello, "split \(i) \(j)")
            }
        }
    }

    /// Every split position of a compressed text message, with the window shared across messages.
    @Test func everySplitOfCompressedText() throws {
        var rng = SeededRandom(seed: 1)
        let message = rng.text(3000)
        let deflater = Deflater()
        let first = deflater.compressMessage(message, noContextTakeover: false)
        let second = deflater.compressMessage(message, noContextTakeover: false)
        for i in 0...second.count {
            let inflater = Inflater()
            #expect(try inflater.inflateMessage(first, limit: 3000, noContextTakeover: false) == message)
            let out = try inflatePieces(inflater, second, [0..<i, i..<second.count], limit: 3000, noContextTakeover: false)
            #expect(out == message, "split \(i)")
        }
    }

    /// Seeded random chunkings (empty pieces included) of large messages give the same output.
    @Test(arguments: [1, 7, 300, 20_000])
    func randomChunkings(maxPiece: Int) throws {
        var rng = SeededRandom(seed: UInt64(maxPiece))
        let deflater = Deflater()
        let inflater = Inflater()
        let messages = [rng.text(200_000), rng.bytes(70_000), rng.text(200_000), []]
        for round in 0..<3 {
            for message in messages {
                let compressed = deflater.compressMessage(message, noContextTakeover: false)
                let pieces = rng.chunking(total: compressed.count, maxPiece: maxPiece)
                let out = try inflatePieces(inflater, compressed, pieces, limit: 1 << 20, noContextTakeover: false)
                #expect(out == message, "round \(round)")
            }
        }
    }

    /// A zip bomb: 50 MiB of zeros compress to ~50 KiB; inflating stops at the limit, whole or in pieces.
    @Test(arguments: [Int.max, 1000])
    func zipBombHitsLimit(maxPiece: Int) throws {
        let bomb = Deflater().compressMessage([UInt8](repeating: 0, count: 50 << 20), noContextTakeover: true)
        #expect(bomb.count < 100_000)
        let limit = 1 << 20
        let inflater = Inflater()
        var out: [UInt8] = []
        var rng = SeededRandom(seed: 50)
        let pieces = maxPiece == Int.max ? [0..<bomb.count] : rng.chunking(total: bomb.count, maxPiece: maxPiece)
        #expect(throws: InflateError.tooBig) {
            for piece in pieces {
                try bomb[piece].withUnsafeBytes { bytes in
                    Result { () throws(InflateError) in try inflater.inflate(bytes, into: &out, limit: limit) }
                }.get()
                #expect(out.count <= limit)
            }
            try inflater.finishMessage(into: &out, limit: limit, noContextTakeover: true)
        }
        #expect(out.count <= limit)
        #expect(out.count > limit - 16 * 1024)
        // The stream was reset, so the inflater is usable again.
        #expect(try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: true) == hello)
    }

    /// The limit counts bytes already in `output`, and a message of exactly `limit` bytes fits.
    @Test func limitIsInclusiveAndCountsExistingOutput() throws {
        var rng = SeededRandom(seed: 3)
        let message = rng.text(100_000)
        let compressed = Deflater().compressMessage(message, noContextTakeover: true)
        #expect(try Inflater().inflateMessage(compressed, limit: 100_000, noContextTakeover: true) == message)
        #expect(throws: InflateError.tooBig) {
            try Inflater().inflateMessage(compressed, limit: 99_999, noContextTakeover: true)
        }
        var out: [UInt8] = [1, 2, 3]
        #expect(throws: InflateError.tooBig) {
            try compressed.withUnsafeBytes { bytes in
                Result { () throws(InflateError) in try Inflater().inflate(bytes, into: &out, limit: 100_002) }
            }.get()
        }
        #expect(out.count <= 100_002)
    }

    @Test func corruptInputs() throws {
        let inflater = Inflater()
        // BTYPE 11 is reserved (RFC 1951 §3.2.3).
        #expect(throws: InflateError.corrupt) { try inflater.inflateMessage([0xFF], limit: 100, noContextTakeover: false) }
        // A stored block whose NLEN is not the complement of LEN.
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0x00, 0x05, 0x00, 0xFA, 0xFE, 0x48], limit: 100, noContextTakeover: false)
        }
        // Truncated: the appended tail lands inside the Huffman block, not on a block boundary.
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0xF2, 0x48, 0xCD], limit: 100, noContextTakeover: false)
        }
        // Truncated inside a stored block: no zlib data error, only the block-boundary check sees it.
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0x00, 0x05, 0x00, 0xFA, 0xFF], limit: 100, noContextTakeover: false)
        }
        // A back-reference on an empty window.
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0xF2, 0x00, 0x11, 0x00, 0x00], limit: 100, noContextTakeover: false)
        }
        #expect(InflateError.corrupt.closeCode == .invalidPayload)
        #expect(InflateError.tooBig.closeCode == .messageTooBig)
        // Each error reset the stream, so the next good message decodes.
        #expect(try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: false) == hello)
    }

    /// A message with no payload bytes inflates to nothing and leaves the shared window intact.
    @Test func emptyPayloadIsEmptyMessage() throws {
        let inflater = Inflater()
        #expect(try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: false) == hello)
        #expect(try inflater.inflateMessage([], limit: 5, noContextTakeover: false) == [])
        #expect(try inflater.inflateMessage([0xF2, 0x00, 0x11, 0x00, 0x00], limit: 5, noContextTakeover: false) == hello)
    }

    /// `reset()` and `noContextTakeover` drop the window: a back-reference no longer resolves.
    @Test func resetDropsWindow() throws {
        let inflater = Inflater()
        _ = try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: false)
        inflater.reset()
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0xF2, 0x00, 0x11, 0x00, 0x00], limit: 5, noContextTakeover: false)
        }
        _ = try inflater.inflateMessage(helloFixtures[0], limit: 5, noContextTakeover: true)
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage([0xF2, 0x00, 0x11, 0x00, 0x00], limit: 5, noContextTakeover: false)
        }
    }

    /// Random bytes, and valid streams with random bit flips, only ever give output or an InflateError.
    @Test(arguments: 0..<4)
    func randomInputNeverCrashes(seed: Int) {
        var rng = SeededRandom(seed: UInt64(seed) &* 0x1234_5678)
        let inflater = Inflater(windowBits: 8 + seed * 2)
        let valid = Deflater(windowBits: 8 + seed * 2).compressMessage(rng.text(5000), noContextTakeover: false)
        var outcomes = (ok: 0, corrupt: 0, tooBig: 0)
        for i in 0..<1500 {
            var input: [UInt8]
            if i % 2 == 0 {
                input = rng.bytes(Int(rng.next() % 300))
            } else {
                input = valid
                for _ in 0...(rng.next() % 4) {
                    let bit = Int(rng.next() % UInt64(input.count * 8))
                    input[bit / 8] ^= 1 << UInt8(bit % 8)
                }
            }
            let noContextTakeover = rng.next() % 2 == 0
            do throws(InflateError) {
                let out = try inflater.inflateMessage(input, limit: 64 * 1024, noContextTakeover: noContextTakeover)
                #expect(out.count <= 64 * 1024)
                outcomes.ok += 1
            } catch {
                switch error {
                case .corrupt: outcomes.corrupt += 1
                case .tooBig: outcomes.tooBig += 1
                }
            }
        }
        #expect(outcomes.corrupt > 0)
    }
}

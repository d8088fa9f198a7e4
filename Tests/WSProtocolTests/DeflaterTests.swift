import Testing
@testable import WSProtocol

private let hello = Array("Hello".utf8)

@Suite struct DeflaterTests {
    /// RFC 7692 §7.2.3.1: "Hello" in one compressed block.
    @Test func rfcSingleBlockHello() throws {
        let deflater = Deflater()
        let compressed = deflater.compressMessage(hello, noContextTakeover: true)
        #expect(compressed == [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        #expect(try Inflater().inflateMessage(compressed, limit: 1 << 20, noContextTakeover: true) == hello)
    }

    /// RFC 7692 §7.2.3.2: with context takeover the second "Hello" is one back-reference.
    @Test func rfcSharedWindow() throws {
        let deflater = Deflater()
        let first = deflater.compressMessage(hello, noContextTakeover: false)
        let second = deflater.compressMessage(hello, noContextTakeover: false)
        #expect(first == [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        #expect(second == [0xF2, 0x00, 0x11, 0x00, 0x00])

        let inflater = Inflater()
        #expect(try inflater.inflateMessage(first, limit: 100, noContextTakeover: false) == hello)
        #expect(try inflater.inflateMessage(second, limit: 100, noContextTakeover: false) == hello)
    }

    /// §7.1.1.1: without context takeover every message is compressed as if it were the first.
    @Test func noContextTakeoverRepeatsFirstEncoding() {
        let deflater = Deflater()
        for _ in 0..<3 {
            #expect(deflater.compressMessage(hello, noContextTakeover: true) == [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        }
    }

    /// §7.2.3.6: an empty message is the single byte 00, both on a fresh stream and right after a
    /// flush (where zlib itself produces nothing), and it leaves the shared window usable.
    @Test(arguments: [false, true])
    func emptyMessageIsOneZeroByte(noContextTakeover: Bool) throws {
        let deflater = Deflater()
        let inflater = Inflater()
        #expect(deflater.compressMessage([], noContextTakeover: noContextTakeover) == [0x00])
        let h = deflater.compressMessage(hello, noContextTakeover: noContextTakeover)
        let empty = deflater.compressMessage([], noContextTakeover: noContextTakeover)
        let h2 = deflater.compressMessage(hello, noContextTakeover: noContextTakeover)
        #expect(empty == [0x00])
        #expect(try inflater.inflateMessage([0x00], limit: 10, noContextTakeover: noContextTakeover) == [])
        #expect(try inflater.inflateMessage(h, limit: 10, noContextTakeover: noContextTakeover) == hello)
        #expect(try inflater.inflateMessage(empty, limit: 10, noContextTakeover: noContextTakeover) == [])
        #expect(try inflater.inflateMessage(h2, limit: 10, noContextTakeover: noContextTakeover) == hello)
    }

    /// Appending keeps what is already in the buffer (room for a frame header in front).
    @Test func compressAppends() {
        var out: [UInt8] = [0xC1, 0x07]
        hello.withUnsafeBytes { Deflater().compressMessage($0, noContextTakeover: true, into: &out) }
        #expect(out == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
    }

    /// windowBits 8 runs zlib with 9, and the result must still decode with a 256-byte window:
    /// large repetitive and random messages, with the window shared across messages.
    @Test func windowBits8DecodesWith256ByteWindow() throws {
        let deflater = Deflater(windowBits: 8)
        #expect(deflater.windowBits == 8)
        let inflater = Inflater(windowBits: 8)
        var rng = SeededRandom(seed: 8)
        let block = rng.bytes(300)  // repeats at distance 300: inside 512, outside 256
        var repetitive: [UInt8] = []
        for i in 0..<3000 { repetitive += block; repetitive.append(UInt8(truncatingIfNeeded: i)) }
        let messages = [repetitive, rng.bytes(256 * 1024), rng.text(256 * 1024), block, block, block]
        for message in messages {
            let compressed = deflater.compressMessage(message, noContextTakeover: false)
            #expect(try inflater.inflateMessage(compressed, limit: 4 << 20, noContextTakeover: false) == message)
        }
    }

    /// Control for the test above: a real 1 KiB window does emit distance 300 across messages, and a
    /// 256-byte inflater rejects it, so that test's data does exercise the 250-byte distance cap.
    @Test func windowBits10IsTooFarForA256ByteWindow() throws {
        var rng = SeededRandom(seed: 10)
        let block = rng.bytes(300)
        let deflater = Deflater(windowBits: 10)
        let inflater = Inflater(windowBits: 8)
        let first = deflater.compressMessage(block, noContextTakeover: false)
        let second = deflater.compressMessage(block, noContextTakeover: false)
        #expect(second.count < 50)
        #expect(try inflater.inflateMessage(first, limit: 1000, noContextTakeover: false) == block)
        #expect(throws: InflateError.corrupt) {
            try inflater.inflateMessage(second, limit: 1000, noContextTakeover: false)
        }
    }

    /// Random and text messages of many sizes round-trip for every window size, with and without
    /// context takeover, over several messages on the same pair of streams.
    @Test(arguments: [0, 1, 125, 1024, 64 * 1024, 1 << 20], 8...15)
    func roundTrip(size: Int, windowBits: Int) throws {
        for noContextTakeover in [false, true] {
            var rng = SeededRandom(seed: UInt64(size * 16 + windowBits))
            let deflater = Deflater(windowBits: windowBits)
            let inflater = Inflater(windowBits: windowBits)
            let wide = Inflater(windowBits: 15)  // a larger window always decodes a smaller one
            let text = rng.text(size)
            let messages = [rng.bytes(size), text, text, rng.bytes(size)]
            for message in messages {
                let compressed = deflater.compressMessage(message, noContextTakeover: noContextTakeover)
                #expect(!compressed.isEmpty)
                let back = try inflater.inflateMessage(compressed, limit: size, noContextTakeover: noContextTakeover)
                #expect(back == message, "size \(size) window \(windowBits) noTakeover \(noContextTakeover)")
                let wideBack = try wide.inflateMessage(compressed, limit: size, noContextTakeover: noContextTakeover)
                #expect(wideBack == message)
            }
        }
    }

    /// Every level, including 0 (stored blocks only), produces a valid stripped stream.
    @Test(arguments: -1...9)
    func everyLevelRoundTrips(level: Int) throws {
        var rng = SeededRandom(seed: UInt64(level + 100))
        let deflater = Deflater(level: level, memLevel: 9)
        let inflater = Inflater()
        for message in [rng.text(70_000), [], rng.bytes(40_000), rng.text(10)] {
            let compressed = deflater.compressMessage(message, noContextTakeover: false)
            #expect(try inflater.inflateMessage(compressed, limit: 1 << 20, noContextTakeover: false) == message)
        }
    }
}

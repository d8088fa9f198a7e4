/// Generators of zlib test inputs on top of the shared seeded generator.
extension SeededRandom {
    /// `count` uniformly random bytes: incompressible input.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: next().littleEndian) { out.append(contentsOf: $0) }
        }
        out.removeLast(out.count - count)
        return out
    }

    /// `count` bytes of word-salad text: compressible input with plenty of back-references.
    mutating func text(_ count: Int) -> [UInt8] {
        let words = ["hub", "topic", "publish", "subscribe", "presence", "deflate", "window", "frame",
                     "message", "channel", "{\"id\":", "\"data\":", "null", "true", "42", "\n"]
        var out = [UInt8]()
        out.reserveCapacity(count + 16)
        while out.count < count {
            out.append(contentsOf: words[Int(next() % UInt64(words.count))].utf8)
            out.append(0x20)
        }
        out.removeLast(out.count - count)
        return out
    }

    /// Cuts `0..<total` into consecutive random pieces of 0...maxPiece bytes (empty pieces included).
    mutating func chunking(total: Int, maxPiece: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < total {
            let end = min(total, start + Int(next() % UInt64(maxPiece + 1)))
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}

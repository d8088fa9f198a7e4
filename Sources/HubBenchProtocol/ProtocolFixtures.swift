import WSProtocol

/// Deterministic inputs for the benchmarks: client frames, text and a JSON-ish message.
///
/// Buffers are allocated raw (16-byte aligned) and live for the whole process; the parser and
/// masking benchmarks work on them in place.
enum ProtocolFixtures {
    /// A small deterministic generator (SplitMix64), so every run measures the same bytes.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A writable buffer of `count` bytes that is never freed.
    static func allocate(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        b.initializeMemory(as: UInt8.self, repeating: 0)
        return b
    }

    /// `count` consecutive masked client frames (FIN, `opcode`) with `payload` each, every frame
    /// with its own mask key, as a client sends them (§5.3).
    static func clientFrames(count: Int, payload: [UInt8], opcode: WebSocketOpcode = .binary)
        -> UnsafeMutableRawBufferPointer
    {
        var random = Random(state: 0x5EED)
        let header = WebSocketFrameEncoder.headerSize(payloadLength: payload.count, masked: true)
        let size = header + payload.count
        let buffer = allocate(size * count)
        for i in 0..<count {
            let key = UInt32(truncatingIfNeeded: random.next())
            let frame = WebSocketFrameEncoder.frame(opcode, payload: payload, maskKey: key)
            precondition(frame.count == size)
            frame.withUnsafeBytes { (buffer.baseAddress! + i * size).copyMemory(from: $0.baseAddress!, byteCount: size) }
        }
        return buffer
    }

    /// `count` pseudo-random payload bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = Random(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// `count` bytes of `pattern` repeated, cut at a character boundary and padded with ASCII
    /// spaces to exactly `count`, so the text is complete valid UTF-8.
    static func text(repeating pattern: String, count: Int) -> UnsafeMutableRawBufferPointer {
        let unit = Array(pattern.utf8)
        let buffer = allocate(count)
        var n = 0
        while n + unit.count <= count {
            for b in unit { buffer[n] = b; n += 1 }
        }
        while n < count { buffer[n] = 0x20; n += 1 }
        return buffer
    }

    /// A realistic ~1 KiB JSON update (a pub/sub payload of price ticks), exactly `count` bytes:
    /// repetitive keys with varying numbers, which is what permessage-deflate sees in practice.
    static func jsonMessage(count: Int) -> [UInt8] {
        var random = Random(state: 42)
        let symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "ASML", "SAP", "NESN"]
        var head = "{\"type\":\"publish\",\"channel\":\"market.eu.prices\",\"seq\":1048577,"
        head += "\"ts\":1718000000123,\"items\":["
        var items: [String] = []
        let tail = "]}"
        func length() -> Int { head.utf8.count + items.joined(separator: ",").utf8.count + tail.utf8.count }
        while true {
            let r = random.next()
            let symbol = symbols[Int(r % UInt64(symbols.count))]
            let bid = 100 + Int((r >> 8) % 90_000)
            let spread = 1 + Int((r >> 32) % 40)
            let item = "{\"id\":\"\(symbol)\",\"bid\":\(bid / 100).\(pad2(bid % 100)),"
                + "\"ask\":\((bid + spread) / 100).\(pad2((bid + spread) % 100)),"
                + "\"vol\":\((r >> 40) % 500_000),\"venue\":\"XETR\",\"state\":\"open\"}"
            items.append(item)
            if length() > count {
                items.removeLast()
                break
            }
        }
        // JSON allows whitespace before the closing bracket: pad to the exact size.
        let body = head + items.joined(separator: ",")
        let padding = String(repeating: " ", count: count - length())
        let message = Array((body + padding + tail).utf8)
        precondition(message.count == count)
        return message
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

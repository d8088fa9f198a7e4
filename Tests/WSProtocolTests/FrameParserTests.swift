import Testing
@testable import WSProtocol

private let hello: [UInt8] = Array("Hello".utf8)
private var unmasked: WebSocketMessageReader.Options { WebSocketMessageReader.Options(requireMask: false) }

/// The examples of RFC 6455 §5.7, each as (bytes, events, options).
private var rfcFixtures: [(String, [UInt8], [Got], WebSocketMessageReader.Options)] { [
    ("single unmasked text", [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], [.text(hello)], unmasked),
    ("single masked text", [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], [.text(hello)], .init()),
    ("fragmented unmasked text", [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f], [.text(hello)], unmasked),
    ("unmasked ping", [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], [.ping(hello)], unmasked),
    ("masked pong", [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], [.pong(hello)], .init()),
    ("256-byte binary", [0x82, 0x7E, 0x01, 0x00] + [UInt8](repeating: 7, count: 256), [.binary([UInt8](repeating: 7, count: 256))], unmasked),
    ("64 KiB binary", [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0] + [UInt8](repeating: 9, count: 65536),
     [.binary([UInt8](repeating: 9, count: 65536))], .init(maxMessageBytes: 1 << 20, requireMask: false)),
] }

@Test(arguments: 0..<7)
func rfcExamplesParse(index: Int) {
    let (name, bytes, expected, options) = rfcFixtures[index]
    #expect(readAll(bytes, options: options) == expected, "\(name)")
}

@Test(arguments: 0..<6)
func rfcExamplesParseSplitAtEveryPosition(index: Int) {
    let (name, bytes, expected, options) = rfcFixtures[index]
    for cut in 1..<bytes.count {
        #expect(readAll(bytes, cuts: [cut], options: options) == expected, "\(name) split at \(cut)")
    }
    // Every byte alone.
    #expect(readAll(bytes, cuts: Array(1..<bytes.count), options: options) == expected, "\(name) bytewise")
}

@Test func rfcExamplesParseInRandomChunkings() {
    var rng = SeededRandom(seed: 6455)
    for (name, bytes, expected, options) in rfcFixtures {
        for _ in 0..<200 {
            let cuts = randomCuts(bytes.count, &rng)
            #expect(readAll(bytes, cuts: cuts, options: options) == expected, "\(name) cuts \(cuts)")
        }
    }
}

@Test func encoderWritesRFCFrames() {
    #expect(WebSocketFrameEncoder.frame(.text, payload: hello) == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    let key = WebSocketMasking.keyWord((0x37, 0xfa, 0x21, 0x3d))
    #expect(WebSocketFrameEncoder.frame(.text, payload: hello, maskKey: key)
        == [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
    #expect(WebSocketFrameEncoder.frame(.text, payload: Array(hello[0..<3]), fin: false) == [0x01, 0x03, 0x48, 0x65, 0x6c])
    #expect(WebSocketFrameEncoder.frame(.continuation, payload: Array(hello[3...])) == [0x80, 0x02, 0x6c, 0x6f])
    #expect(Array(WebSocketFrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 256)).prefix(4)) == [0x82, 0x7E, 0x01, 0x00])
    #expect(Array(WebSocketFrameEncoder.frame(.binary, payload: [UInt8](repeating: 0, count: 65536)).prefix(10))
        == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
    #expect(WebSocketFrameEncoder.closePayload(code: .protocolError) == [0x03, 0xEA])
    #expect(WebSocketFrameEncoder.frame(.close, payload: WebSocketFrameEncoder.closePayload(code: .protocolError))
        == [0x88, 0x02, 0x03, 0xEA])
    #expect(WebSocketFrameEncoder.headerSize(payloadLength: 125) == 2)
    #expect(WebSocketFrameEncoder.headerSize(payloadLength: 126) == 4)
    #expect(WebSocketFrameEncoder.headerSize(payloadLength: 65535) == 4)
    #expect(WebSocketFrameEncoder.headerSize(payloadLength: 65536, masked: true) == 14)
}

@Test func closeReasonIsCutAtACharacterBoundary() {
    let long = String(repeating: "é", count: 100)  // 200 bytes
    let payload = WebSocketFrameEncoder.closePayload(code: .normal, reason: long)
    #expect(payload.count <= 125)
    #expect(UTF8Validator.isValid(Array(payload[2...])))
}

@Test func roundTripOfRandomFramesInRandomChunks() {
    var rng = SeededRandom(seed: 42)
    for _ in 0..<300 {
        var stream: [UInt8] = []
        var expected: [Got] = []
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let size = [0, 1, 125, 126, 127, 65535, 65536, Int.random(in: 0...3000, using: &rng)].randomElement(using: &rng)!
            let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let key = UInt32.random(in: 0...UInt32.max, using: &rng)
            if Bool.random(using: &rng) || size > 125 {
                // A binary message, maybe split into fragments with a ping in between.
                if size > 10 && Bool.random(using: &rng) {
                    let cut = size / 2
                    stream += clientFrame(.binary, Array(payload[..<cut]), fin: false, key: key)
                    stream += clientFrame(.ping, [1, 2, 3], key: key)
                    stream += clientFrame(.continuation, Array(payload[cut...]), key: key)
                    expected += [.ping([1, 2, 3]), .binary(payload)]
                } else {
                    stream += clientFrame(.binary, payload, key: key)
                    expected.append(.binary(payload))
                }
            } else {
                stream += clientFrame(.pong, payload, key: key)
                expected.append(.pong(payload))
            }
        }
        let cuts = randomCuts(stream.count, &rng)
        #expect(readAll(stream, cuts: cuts) == expected)
    }
}

// MARK: - One negative test per MUST, with the exact close code.

private func failure(_ bytes: [UInt8], options: WebSocketMessageReader.Options = .init()) -> WebSocketError? {
    if case .failed(let e) = readAll(bytes, options: options).last { return e }
    return nil
}

@Test(arguments: [UInt8(0x40), 0x20, 0x10])
func reservedBitsWithoutAnExtensionFailWith1002(bit: UInt8) {
    var f = clientFrame(.text, hello)
    f[0] |= bit
    #expect(failure(f) == .reservedBits)
    #expect(WebSocketError.reservedBits.closeCode.code == 1002)
}

@Test(arguments: [UInt8(3), 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
func reservedOpcodesFailWith1002(op: UInt8) {
    let f = clientFrame(WebSocketOpcode(op), [])
    #expect(failure(f) == .reservedOpcode(op))
    #expect(failure(f)?.closeCode.code == 1002)
}

@Test func controlFrameOver125BytesFails() {
    let f = clientFrame(.ping, [UInt8](repeating: 1, count: 126))
    #expect(failure(f) == .controlFrameTooLong)
    #expect(failure(f)?.closeCode.code == 1002)
}

@Test(arguments: [WebSocketOpcode.ping, .pong, .close])
func fragmentedControlFrameFails(op: WebSocketOpcode) {
    #expect(failure(clientFrame(op, [], fin: false)) == .fragmentedControlFrame)
}

@Test func unmaskedClientFrameFails() {
    let e = failure([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    #expect(e == .unmaskedFrame)
    #expect(e?.closeCode.code == 1002)
}

@Test func lengthWithMostSignificantBitFails() {
    let f: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]
    #expect(failure(f) == .lengthTooLarge)
}

@Test func nonMinimalLengthsFail() {
    #expect(failure([0x82, 0xFE, 0x00, 0x05, 1, 2, 3, 4]) == .nonMinimalLength)
    #expect(failure([0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4]) == .nonMinimalLength)
}

@Test func continuationWithoutAMessageFails() {
    #expect(failure(clientFrame(.continuation, hello)) == .unexpectedContinuation)
}

@Test func newMessageInsideAFragmentedOneFails() {
    let f = clientFrame(.text, hello, fin: false) + clientFrame(.text, hello)
    #expect(failure(f) == .expectedContinuation)
    let g = clientFrame(.binary, hello, fin: false) + clientFrame(.ping, []) + clientFrame(.binary, hello)
    #expect(failure(g) == .expectedContinuation)
}

@Test func closePayloadRules() {
    #expect(readAll(clientFrame(.close, [])) == [.close(nil, "")])
    #expect(readAll(clientFrame(.close, [0x03, 0xE8] + Array("bye".utf8))) == [.close(1000, "bye")])
    #expect(failure(clientFrame(.close, [0x03])) == .invalidClosePayload)
    #expect(failure(clientFrame(.close, [0x03]))?.closeCode.code == 1002)
    let e = failure(clientFrame(.close, [0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80]))
    #expect(e == .invalidUTF8)
    #expect(e?.closeCode.code == 1007)
}

@Test(arguments: [UInt16(0), 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])
func invalidCloseCodesFailWith1002(code: UInt16) {
    let e = failure(clientFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)]))
    #expect(e == .invalidCloseCode(code))
    #expect(e?.closeCode.code == 1002)
}

@Test(arguments: [UInt16(1000), 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999])
func validCloseCodesAreAccepted(code: UInt16) {
    #expect(readAll(clientFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)])) == [.close(code, "")])
}

@Test func invalidUTF8InTextFailsWith1007() {
    let e = failure(clientFrame(.text, [0x48, 0xC0, 0x80]))
    #expect(e == .invalidUTF8)
    #expect(e?.closeCode.code == 1007)
    // A sequence left open at the end of the message.
    #expect(failure(clientFrame(.text, [0x48, 0xE2, 0x82])) == .invalidUTF8)
    // Binary is not checked.
    #expect(readAll(clientFrame(.binary, [0xC0, 0x80])) == [.binary([0xC0, 0x80])])
}

@Test func invalidUTF8FailsFastInTheFirstFragment() {
    // The second fragment never arrives, yet the first already fails.
    let first = clientFrame(.text, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80], fin: false)
    #expect(failure(first) == .invalidUTF8)
}

@Test func utf8SplitAcrossFragmentsIsValid() {
    let euro: [UInt8] = [0xE2, 0x82, 0xAC]
    let f = clientFrame(.text, [euro[0]], fin: false) + clientFrame(.continuation, [euro[1]], fin: false)
        + clientFrame(.continuation, [euro[2]])
    #expect(readAll(f) == [.text(euro)])
}

@Test func messageOverTheLimitFailsWith1009() {
    let options = WebSocketMessageReader.Options(maxMessageBytes: 10)
    let e = failure(clientFrame(.binary, [UInt8](repeating: 0, count: 11)), options: options)
    #expect(e == .messageTooBig(limit: 10))
    #expect(e?.closeCode.code == 1009)
    // The sum of fragments counts too.
    let f = clientFrame(.binary, [UInt8](repeating: 0, count: 6), fin: false) + clientFrame(.continuation, [UInt8](repeating: 0, count: 6))
    #expect(failure(f, options: options) == .messageTooBig(limit: 10))
    #expect(readAll(clientFrame(.binary, [UInt8](repeating: 0, count: 10)), options: options).count == 1)
}

@Test func manySmallFragmentsGrowTheMessageGeometrically() {
    // Autobahn 9.3.1: 4 MiB in 64-byte fragments. Growing by exactly one fragment each time copied
    // the whole message 65,536 times and held the event loop for seconds.
    var reader = WebSocketMessageReader(options: .init(maxMessageBytes: 8 << 20))
    let fragments = 65_536
    var assembled: [UInt8]?
    for i in 0..<fragments {
        let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 64)
        var frame = clientFrame(i == 0 ? .binary : .continuation, payload, fin: i == fragments - 1)
        frame.withUnsafeMutableBytes { raw in
            var input = raw
            if case .binary(let b) = reader.next(&input) { assembled = b }
        }
    }
    #expect(assembled?.count == fragments * 64)
    #expect(assembled?[64 * 300] == UInt8(truncatingIfNeeded: 300))
    #expect(reader.bufferGrowths <= 24, "grew \(reader.bufferGrowths) times")
}

@Test func tooManyFragmentsFails() {
    let options = WebSocketMessageReader.Options(maxFragments: 2)
    let f = clientFrame(.binary, [1], fin: false) + clientFrame(.continuation, [2], fin: false) + clientFrame(.continuation, [3])
    #expect(failure(f, options: options) == .tooManyFragments(limit: 2))
    #expect(failure(f, options: options)?.closeCode.code == 1009)
}

@Test func randomBytesOnlyYieldProtocolEvents() {
    var rng = SeededRandom(seed: 1234)
    for _ in 0..<3000 {
        let count = Int.random(in: 0...200, using: &rng)
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let events = readAll(bytes, cuts: randomCuts(count, &rng), options: .init(maxMessageBytes: 4096))
        // Random input may only ever yield protocol events: a failure, if any, is last and maps
        // to one of the codes a reader can send.
        for (i, e) in events.enumerated() {
            guard case .failed(let error) = e else { continue }
            #expect(i == events.count - 1)
            #expect([1002, 1007, 1009].contains(error.closeCode.code))
        }
    }
}

@Test func failedReaderStaysFailed() {
    var reader = WebSocketMessageReader()
    var bytes: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f] + clientFrame(.text, hello)
    bytes.withUnsafeMutableBytes { raw in
        var input = raw
        guard case .failed(.unmaskedFrame) = reader.next(&input) else { Issue.record("expected failure"); return }
        guard case .failed(.unmaskedFrame) = reader.next(&input) else { Issue.record("expected failure again"); return }
    }
}

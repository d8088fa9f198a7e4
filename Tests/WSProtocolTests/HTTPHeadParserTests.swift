import Testing
@testable import WSProtocol

/// A parse outcome with `consumed` counted from the start of the whole input, so results of
/// different chunkings compare directly.
enum Outcome: Equatable, CustomStringConvertible {
    case needMore
    case complete(HTTPRequestHead, consumed: Int)
    case failed(HTTPError)

    var description: String {
        switch self {
        case .needMore: return "needMore"
        case .complete(let head, let consumed): return "complete(\(head), consumed: \(consumed))"
        case .failed(let error): return "failed(\(error))"
        }
    }

    var status: Int? {
        if case .failed(let e) = self { return e.status.code }
        return nil
    }
}

/// Feeds `bytes` cut at `cuts` (sorted offsets) and stops at the first final result.
func parse(_ bytes: [UInt8], cuts: [Int] = [], maxHeadBytes: Int = 8192, maxHeaders: Int = 100) -> Outcome {
    var parser = HTTPHeadParser(maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders)
    var start = 0
    for end in cuts + [bytes.count] where end >= start {
        switch parser.feed(Array(bytes[start..<end])) {
        case .needMore: break
        case .complete(let head, let consumed):
            #expect(consumed <= end - start)
            return .complete(head, consumed: start + consumed)
        case .failed(let error): return .failed(error)
        }
        start = end
    }
    return .needMore
}

func randomCuts(count: Int, using rng: inout SeededRandom) -> [Int] {
    guard count > 1 else { return [] }
    let n = Int.random(in: 0...min(count, 12), using: &rng)
    return (0..<n).map { _ in Int.random(in: 0...count, using: &rng) }.sorted()
}

struct Fixture: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    var maxHeadBytes = 8192
    var maxHeaders = 100
    /// The status of the expected failure, or nil when the head parses (or needs more).
    let status: Int?

    init(_ name: String, _ text: String, status: Int? = nil, maxHeadBytes: Int = 8192, maxHeaders: Int = 100) {
        self.init(name, Array(text.utf8), status: status, maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders)
    }

    init(_ name: String, _ bytes: [UInt8], status: Int? = nil, maxHeadBytes: Int = 8192, maxHeaders: Int = 100) {
        self.name = name
        self.bytes = bytes
        self.status = status
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaders = maxHeaders
    }

    var testDescription: String { name }

    func run(cuts: [Int] = []) -> Outcome {
        parse(bytes, cuts: cuts, maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders)
    }
}

let rfcRequest = """
    GET /chat HTTP/1.1\r
    Host: server.example.com\r
    Upgrade: websocket\r
    Connection: Upgrade\r
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
    Origin: http://example.com\r
    Sec-WebSocket-Protocol: chat, superchat\r
    Sec-WebSocket-Version: 13\r
    \r

    """
/// A masked "Hello" text frame (RFC 6455 §5.7) following the head: it must not be consumed.
let trailingFrame: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]

let validFixtures: [Fixture] = [
    Fixture("RFC 6455 §1.2 request", rfcRequest),
    Fixture("RFC request + frame", Array(rfcRequest.utf8) + trailingFrame),
    Fixture("bare LF", "GET /a?b=c HTTP/1.1\nHost: x\nUpgrade: websocket\n\n"),
    Fixture("mixed line endings", "GET / HTTP/1.1\r\nHost: x\n\r\n" + "extra"),
    Fixture("OWS, tabs, empty value", "GET /p?q HTTP/1.1\r\nA:\t  spaced \t\r\nB:\r\nC:x\r\n\r\n"),
    Fixture("leading empty lines", "\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    Fixture("HTTP/1.0", "GET / HTTP/1.0\r\n\r\n"),
    Fixture("no headers", "OPTIONS * HTTP/1.1\r\n\r\n"),
    Fixture("obs-text value", [UInt8]("GET / HTTP/1.1\r\nX: caf".utf8) + [0xC3, 0xA9, 0xFF] + Array("\r\n\r\n".utf8)),
    Fixture("exactly maxHeadBytes", "GET / HTTP/1.1\r\nA: 1\r\n\r\n", maxHeadBytes: 24),
    Fixture("exactly maxHeaders", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", maxHeaders: 2),
    Fixture("incomplete head", "GET / HTTP/1.1\r\nHost: x\r\n"),
    Fixture("incomplete CR", "GET / HTTP/1.1\r\nHost: x\r\n\r"),
    Fixture("empty input", ""),
]

/// One negative fixture per rule, with the exact status.
let invalidFixtures: [Fixture] = [
    Fixture("NUL in header value", "GET / HTTP/1.1\r\nA: x\0y\r\n\r\n", status: 400),
    Fixture("NUL in request line", "GE\0T / HTTP/1.1\r\n\r\n", status: 400),
    Fixture("DEL in header", "GET / HTTP/1.1\r\nA: \u{7F}\r\n\r\n", status: 400),
    Fixture("ESC control byte", "GET / HTTP/1.1\r\nA: \u{1B}[0m\r\n\r\n", status: 400),
    Fixture("bare CR", "GET / HTTP/1.1\rHost: x\r\n\r\n", status: 400),
    Fixture("obs-fold SP", "GET / HTTP/1.1\r\nA: 1\r\n 2\r\n\r\n", status: 400),
    Fixture("obs-fold HT", "GET / HTTP/1.1\r\nA: 1\r\n\t2\r\n\r\n", status: 400),
    Fixture("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", status: 400),
    Fixture("tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", status: 400),
    Fixture("no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", status: 400),
    Fixture("empty header name", "GET / HTTP/1.1\r\n: x\r\n\r\n", status: 400),
    Fixture("non-token header name", "GET / HTTP/1.1\r\nX(y): x\r\n\r\n", status: 400),
    Fixture("two parts", "GET /\r\n\r\n", status: 400),
    Fixture("four parts", "GET / x HTTP/1.1\r\n\r\n", status: 400),
    Fixture("double space", "GET  / HTTP/1.1\r\n\r\n", status: 400),
    Fixture("leading space", " GET / HTTP/1.1\r\n\r\n", status: 400),
    Fixture("trailing space", "GET / HTTP/1.1 \r\n\r\n", status: 400),
    Fixture("tab separator", "GET\t/ HTTP/1.1\r\n\r\n", status: 400),
    Fixture("non-token method", "GE(T / HTTP/1.1\r\n\r\n", status: 400),
    Fixture("non-ASCII target", [UInt8]("GET /".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\n\r\n".utf8), status: 400),
    Fixture("lowercase version", "GET / http/1.1\r\n\r\n", status: 400),
    Fixture("two-digit minor", "GET / HTTP/1.10\r\n\r\n", status: 400),
    Fixture("no minor", "GET / HTTP/1\r\n\r\n", status: 400),
    Fixture("garbage version", "GET / HTTX/1.1\r\n\r\n", status: 400),
    Fixture("not HTTP at all", "\u{16}\u{03}\u{01}\u{02}\u{00}", status: 400),
    Fixture("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", status: 505),
    Fixture("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", status: 505),
    Fixture("HTTP/3.1", "GET / HTTP/3.1\r\nHost: x\r\n\r\n", status: 505),
    Fixture("head too large", "GET / HTTP/1.1\r\nA: 1\r\n\r\n", status: 431, maxHeadBytes: 23),
    Fixture("endless header", "GET / HTTP/1.1\r\nA: " + String(repeating: "a", count: 400), status: 431, maxHeadBytes: 256),
    Fixture("endless blank lines", String(repeating: "\r\n", count: 200), status: 431, maxHeadBytes: 256),
    Fixture("too many headers", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", status: 431, maxHeaders: 2),
]

@Test func rfcRequestParses() {
    let bytes = Array(rfcRequest.utf8) + trailingFrame
    guard case .complete(let head, let consumed) = parse(bytes) else {
        Issue.record("did not complete"); return
    }
    #expect(consumed == rfcRequest.utf8.count)
    #expect(head.method == "GET" && head.target == "/chat" && head.path == "/chat" && head.query == nil)
    #expect(head.versionMajor == 1 && head.versionMinor == 1)
    #expect(head.headers.count == 7)
    #expect(head.headers[0].name == "Host" && head.headers[0].value == "server.example.com")
    #expect(head.header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==")
}

@Test func valuesAreTrimmedAndLineEndingsLenient() {
    guard case .complete(let head, _) = parse(Array("GET /p?q HTTP/1.1\nA:\t  spaced \t\r\nB:\nC:x\n\n".utf8)) else {
        Issue.record("did not complete"); return
    }
    #expect(head.headers.map(\.name) == ["A", "B", "C"])
    #expect(head.headers.map(\.value) == ["spaced", "", "x"])
    #expect(head.path == "/p" && head.query == "q")
}

@Test func obsTextDecodesAsUTF8() {
    let bytes = [UInt8]("GET / HTTP/1.1\r\nX: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)
    guard case .complete(let head, _) = parse(bytes) else { Issue.record("did not complete"); return }
    #expect(head.header("x") == "café")
}

@Test(arguments: validFixtures)
func validFixtureOutcome(fixture: Fixture) {
    let outcome = fixture.run()
    #expect(outcome.status == nil, "\(outcome)")
}

@Test(arguments: invalidFixtures)
func invalidFixtureStatus(fixture: Fixture) {
    let outcome = fixture.run()
    #expect(outcome.status == fixture.status, "\(outcome)")
    if case .failed(let error) = outcome { #expect(!error.message.isEmpty) }
}

@Test(arguments: validFixtures + invalidFixtures)
func splitAtEveryPosition(fixture: Fixture) {
    let whole = fixture.run()
    for cut in 0...fixture.bytes.count {
        let split = fixture.run(cuts: [cut])
        if split != whole { Issue.record("cut at \(cut): \(split) != \(whole)"); return }
    }
    let byteAtATime = fixture.run(cuts: Array(0...fixture.bytes.count))
    #expect(byteAtATime == whole)
}

@Test(arguments: validFixtures + invalidFixtures)
func seededRandomChunkings(fixture: Fixture) {
    let whole = fixture.run()
    var rng = SeededRandom(seed: 0x5EED_0000 &+ UInt64(fixture.bytes.count))
    for round in 0..<200 {
        let cuts = randomCuts(count: fixture.bytes.count, using: &rng)
        let outcome = fixture.run(cuts: cuts)
        if outcome != whole { Issue.record("round \(round) cuts \(cuts): \(outcome) != \(whole)"); return }
    }
}

@Test func defaultLimits() {
    let base = "GET / HTTP/1.1\r\nA: "
    let fits = base + String(repeating: "a", count: 8192 - base.utf8.count - 4) + "\r\n\r\n"
    #expect(parse(Array(fits.utf8)).status == nil)
    let tooBig = base + String(repeating: "a", count: 8192 - base.utf8.count - 3) + "\r\n\r\n"
    #expect(parse(Array(tooBig.utf8)).status == 431)
    let hundred = "GET / HTTP/1.1\r\n" + String(repeating: "A: 1\r\n", count: 100)
    #expect(parse(Array((hundred + "\r\n").utf8)).status == nil)
    #expect(parse(Array((hundred + "B: 2\r\n\r\n").utf8)).status == 431)
}

@Test func feedAfterFinalResult() {
    var parser = HTTPHeadParser()
    guard case .complete(let head, consumed: 18) = parser.feed(Array("GET / HTTP/1.1\r\n\r\nrest".utf8)) else {
        Issue.record("did not complete"); return
    }
    #expect(parser.feed(Array("more".utf8)) == .complete(head, consumed: 0))

    var failing = HTTPHeadParser()
    let failure = failing.feed(Array("BAD\r\n".utf8))
    #expect(failure.isFailed)
    #expect(failing.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8)) == failure)
}

@Test func unsafeBufferFeed() {
    var parser = HTTPHeadParser()
    let bytes = Array("GET / HTTP/1.1\r\n\r\n".utf8)
    let result = bytes.withUnsafeBytes { parser.feed($0) }
    #expect(result == .complete(HTTPRequestHead(method: "GET", target: "/"), consumed: 18))
}

/// Random input may only ever end in needMore, failed (400/431/505) or complete, identically
/// however it is chunked.
@Test func randomBytesNeverCrash() {
    var rng = SeededRandom(seed: 0xF022_2024)
    let alphabet = Array("GET /?=&%HTP1.0: \r\n\t\r\nHost: xUpgrade,websocket".utf8)
    let seeds = (validFixtures + invalidFixtures).map(\.bytes).filter { !$0.isEmpty }
    var counts = [0, 0, 0]
    for i in 0..<3000 {
        var input: [UInt8]
        switch i % 3 {
        case 0:  // uniformly random bytes
            input = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1:  // HTTP-ish alphabet, to get past the request line
            input = Array("GET / HTTP/1.1\r\n".utf8)
                + (0..<Int.random(in: 0...300, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        default:  // mutations of the fixtures
            input = seeds.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let p = Int.random(in: 0..<input.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: input[p] = UInt8.random(in: 0...255, using: &rng)
                case 1: input.remove(at: p)
                default: input.insert(UInt8.random(in: 0...255, using: &rng), at: p)
                }
                if input.isEmpty { break }
            }
        }
        let whole = parse(input, maxHeadBytes: 256, maxHeaders: 8)
        switch whole {
        case .needMore: counts[0] += 1
        case .complete(_, let consumed): counts[1] += 1; #expect(consumed <= input.count)
        case .failed(let e): counts[2] += 1; #expect([400, 431, 505].contains(e.status.code))
        }
        let chunked = parse(input, cuts: randomCuts(count: input.count, using: &rng), maxHeadBytes: 256, maxHeaders: 8)
        if chunked != whole { Issue.record("input \(i): \(chunked) != \(whole)"); return }
    }
    // The generator must reach every outcome, or the test proves little.
    #expect(counts.allSatisfy { $0 > 0 }, "\(counts)")
}

extension HTTPHeadParser.Result {
    var isFailed: Bool { if case .failed = self { return true } else { return false } }
}

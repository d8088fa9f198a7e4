import Testing
@testable import Engines

/// The upstream client's HTTP/1.1 response parser: bodies by length, chunked and until close,
/// split at every position.
@Suite struct DreamHTTPResponseParserTests {
    /// Status, body, and whether the end was seen, feeding `bytes` split at `splits`.
    static func parse(_ bytes: [UInt8], splits: [Int] = [], close: Bool = true) throws -> (Int?, String, Bool) {
        var p = HTTPResponseParser()
        var status: Int?
        var body: [UInt8] = []
        var ended = false
        var start = 0
        func take(_ events: [HTTPResponseParser.Event]) {
            for e in events {
                switch e {
                case .head(let s, _): status = s
                case .body(let b): body += b
                case .end: ended = true
                }
            }
        }
        for s in splits + [bytes.count] {
            take(try p.feed(Array(bytes[start..<s])))
            start = s
        }
        if close { take(try p.finish()) }
        return (status, String(decoding: body, as: UTF8.self), ended)
    }

    static let chunked = Array(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "7\r\ndata: a\r\n" + "A;ext=1\r\n\n\ndata: bc\r\n" + "0\r\nX-Trailer: t\r\n\r\n").utf8)

    @Test func chunkedBodies() throws {
        let r = try Self.parse(Self.chunked, close: false)
        #expect(r.0 == 200)
        #expect(r.1 == "data: a\n\ndata: bc")
        #expect(r.2)
        for i in 0...Self.chunked.count {
            let s = try Self.parse(Self.chunked, splits: [i], close: false)
            #expect(s.0 == r.0 && s.1 == r.1 && s.2 == r.2, "split at \(i)")
        }
    }

    @Test func contentLengthBodies() throws {
        let bytes = Array("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 5\r\n\r\noops!".utf8)
        for i in 0...bytes.count {
            let r = try Self.parse(bytes, splits: [i], close: false)
            #expect(r.0 == 500 && r.1 == "oops!" && r.2, "split at \(i)")
        }
    }

    @Test func closeDelimitedBodiesEndAtTheClose() throws {
        let bytes = Array("HTTP/1.0 200 OK\nContent-Type: text/event-stream\n\ndata: x\n\n".utf8)
        let open = try Self.parse(bytes, close: false)
        #expect(open.0 == 200 && open.1 == "data: x\n\n" && !open.2)
        #expect(try Self.parse(bytes).2)
    }

    @Test func interimResponsesAreSkipped() throws {
        let bytes = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n".utf8)
        let r = try Self.parse(bytes, close: false)
        #expect(r.0 == 204 && r.1.isEmpty && r.2)
    }

    @Test func aTruncatedBodyFails() {
        var p = HTTPResponseParser()
        _ = try? p.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        #expect(throws: HTTPResponseParser.Failure.truncated) { _ = try p.finish() }
    }

    @Test(arguments: [
        "HTTP/2 200\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    ])
    func malformedResponsesFail(_ text: String) {
        var p = HTTPResponseParser()
        #expect(throws: HTTPResponseParser.Failure.self) { _ = try p.feed(Array(text.utf8)) }
    }

    @Test func anOversizeHeadFails() {
        var p = HTTPResponseParser(maxHeadBytes: 64)
        #expect(throws: HTTPResponseParser.Failure.headTooLarge(64)) {
            _ = try p.feed(Array(("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 100)).utf8))
        }
    }

    @Test func randomBytesOnlyEverFailCleanly() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            var p = HTTPResponseParser(maxHeadBytes: 256)
            let n = Int(rng.below(300))
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? p.feed(bytes)
            _ = try? p.finish()
        }
    }
}

import Testing
@testable import Engines

/// The SSE parser: the spec's line and field rules, every fixture split at every position.
@Suite struct DreamSSEParserTests {
    /// Feeds `text` split at `splits` (byte offsets), then returns every event.
    static func parse(_ bytes: [UInt8], splits: [Int] = []) throws -> [SSEEvent] {
        var p = SSEParser()
        var out: [SSEEvent] = []
        var start = 0
        for s in splits + [bytes.count] {
            out += try p.feed(bytes[start..<s])
            start = s
        }
        p.finish()
        return out
    }

    static let openAI = Array((
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
        + ": keep-alive\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\r\n\r\n"
        + "data: [DONE]\n\n").utf8)

    @Test func openAIChunksBecomeEvents() throws {
        let events = try Self.parse(Self.openAI)
        #expect(events.map(\.data) == [
            #"{"choices":[{"delta":{"role":"assistant"}}]}"#, #"{"choices":[{"delta":{"content":"Hel"}}]}"#,
            #"{"choices":[{"delta":{"content":"lo"}}]}"#, "[DONE]",
        ])
        #expect(events.map { UpstreamConnection.content(of: $0.data) } == [.nothing, .token("Hel"), .token("lo"), .done])
    }

    @Test func everySplitGivesTheSameEvents() throws {
        let whole = try Self.parse(Self.openAI)
        for i in 0...Self.openAI.count {
            #expect(try Self.parse(Self.openAI, splits: [i]) == whole, "split at \(i)")
        }
        var rng = SplitMix64(seed: 99)
        for _ in 0..<200 {
            let cuts = (0..<4).map { _ in Int(rng.below(UInt64(Self.openAI.count + 1))) }.sorted()
            #expect(try Self.parse(Self.openAI, splits: cuts) == whole, "splits \(cuts)")
        }
    }

    @Test func lineEndsFieldsAndComments() throws {
        let text = "\u{FEFF}event: add\rdata: one\r\ndata:two\nid: 7\nretry: 10\nunknown: x\n: comment\n\n"
            + "data\n\n" + "data: last without blank line"
        let bytes = Array(text.utf8)
        let expected = [SSEEvent(event: "add", data: "one\ntwo", id: "7"), SSEEvent(event: nil, data: "", id: "7")]
        #expect(try Self.parse(bytes) == expected)
        for i in 0...bytes.count { #expect(try Self.parse(bytes, splits: [i]) == expected, "split at \(i)") }
    }

    @Test func aCRAtTheEndOfAChunkAndAnLFAfterItAreOneLineEnd() throws {
        let bytes = Array("data: a\r\n\r\ndata: b\r\n\r\n".utf8)
        #expect(try Self.parse(bytes, splits: [8, 10]) == [SSEEvent(data: "a"), SSEEvent(data: "b")])
    }

    @Test func anEmptyLineWithoutDataDispatchesNothing() throws {
        #expect(try Self.parse(Array("\n\nevent: x\n\n".utf8)).isEmpty)
    }

    @Test func anOverlongLineIsRefused() {
        var p = SSEParser(maxLineBytes: 8)
        #expect(throws: SSEParser.Failure.lineTooLong(8)) { _ = try p.feed(Array("data: 0123456789".utf8)) }
    }

    @Test func chunkContents() {
        #expect(UpstreamConnection.content(of: #"{"choices":[{"delta":{"content":" the"},"finish_reason":null}]}"#) == .token(" the"))
        #expect(UpstreamConnection.content(of: #"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#) == .nothing)
        #expect(UpstreamConnection.content(of: #"{"error":{"message":"overloaded"}}"#) == .failure(.upstream("overloaded")))
        #expect(UpstreamConnection.content(of: "not json") == .failure(.protocolError("a data line that is not a JSON object")))
        #expect(UpstreamConnection.content(of: " [DONE] ") == .done)
    }
}

import Testing
@testable import Engines

/// The engines' one JSON reader and quoting.
@Suite struct EngineJSONTests {
    @Test func membersAreRawSlicesAndTheLastDuplicateWins() throws {
        let bytes = Array(#" {"to":"bob", "data": {"a":[1,{"b":"}"}]} ,"n":1.50,"to":"ann"} "#.utf8)
        let m = try #require(EngineJSON.members(bytes))
        #expect(m["data"].map { String(decoding: $0, as: UTF8.self) } == #"{"a":[1,{"b":"}"}]}"#)
        #expect(m["n"].map { String(decoding: $0, as: UTF8.self) } == "1.50")
        #expect(m["to"].flatMap(EngineJSON.string) == "ann")
        #expect(EngineJSON.members(Array("[1]".utf8)) == nil)
        #expect(EngineJSON.members(Array(#"{"a":1"#.utf8)) == nil)
        #expect(EngineJSON.members(Array("{}".utf8))?.isEmpty == true)
    }

    @Test func stringsDecodeEscapesAndSurrogatePairs() {
        #expect(EngineJSON.string(Array(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#.utf8)[...]) == "a\"b\\c/\né😀")
        #expect(EngineJSON.string(Array("42".utf8)[...]) == nil)
        #expect(EngineJSON.topLevelString(Array(#"  "hi"  "#.utf8)) == "hi")
        #expect(EngineJSON.topLevelString(Array(#"{"text":"hi"}"#.utf8)) == nil)
    }

    @Test func quotingRoundTrips() {
        for s in ["plain", "quote \" and \\ backslash", "line\nbreak\ttab\u{1}", "é😀"] {
            let q = EngineJSON.quoted(s)
            #expect(EngineJSON.string(q[...]) == s, "\(s)")
            #expect(!q.dropFirst().dropLast().contains { $0 < 0x20 }, "controls are escaped: \(s)")
        }
        #expect(EngineJSON.quotedString("a\u{1}") == #""a\u0001""#)
    }
}

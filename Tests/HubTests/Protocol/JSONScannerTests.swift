import Testing
@testable import Hub

@Suite struct JSONScannerTests {
    /// Runs `body` on a scanner over `text`'s bytes.
    private func scan<T>(_ text: String, _ body: (inout JSONScanner) throws(JSONSyntaxError) -> T) -> Result<T, JSONSyntaxError> {
        Array(text.utf8).withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            return Result { () throws(JSONSyntaxError) in try body(&scanner) }
        }
    }

    @Test(arguments: [
        ("  1 ,", "1"), ("\"a\\\"b\" ]", "\"a\\\"b\""), ("{ \"a\" : [1, {}] } ,", "{ \"a\" : [1, {}] }"),
        ("[ ] x", "[ ]"), ("-1.5e3}", "-1.5e3"), ("null,", "null"), ("\n\t{}\n", "{}"),
    ])
    func skipValueReturnsTheValuesRange(input: String, value: String) throws {
        let bytes = Array(input.utf8)
        let range = try bytes.withUnsafeBytes { raw throws(JSONSyntaxError) in
            var scanner = JSONScanner(raw)
            let range = try scanner.skipValue()
            #expect(scanner.index == range.upperBound)
            return range
        }
        #expect(Array(bytes[range]) == Array(value.utf8))
    }

    @Test(arguments: [
        ("[1,]", JSONSyntaxError.Reason.unexpectedCharacter, 3), ("{\"a\":1,}", .expectedKey, 7),
        ("\"a\u{1}\"", .controlCharacterInString, 2), ("\"\\q\"", .invalidEscape, 2), ("01", .invalidNumber, 1),
        ("[1 2]", .expectedCommaOrClose, 3), ("{\"a\" 1}", .expectedColon, 5), ("tru", .invalidLiteral, 0),
        ("[1", .unexpectedEnd, 2), ("\"abc", .unexpectedEnd, 4), ("1 2", .trailingCharacters, 2),
        (String(repeating: "[", count: 65), .tooDeep, 64),
    ])
    func errorsSayWhatAndWhere(input: String, reason: JSONSyntaxError.Reason, offset: Int) {
        #expect(throws: JSONSyntaxError(reason: reason, offset: offset)) { try JSONValidator.validate(Array(input.utf8)) }
    }

    @Test func depthLimitCountsOpenContainersOfBothKinds() throws {
        var ok = ""
        for level in 0..<64 { ok += level % 2 == 0 ? "{\"k\":" : "[" }
        ok += "0"
        for level in (0..<64).reversed() { ok += level % 2 == 0 ? "}" : "]" }
        #expect(JSONValidator.isValid(Array(ok.utf8)))
        #expect(!JSONValidator.isValid(Array(("[" + ok + "]").utf8)))
        // A caller inside an object gets what is left of the budget.
        let nested = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        #expect(try scan(nested) { s throws(JSONSyntaxError) in try s.skipValue(maxDepth: 63) }.get().count == 126)
        #expect(throws: JSONSyntaxError.self) { try scan("[" + nested + "]") { s throws(JSONSyntaxError) in try s.skipValue(maxDepth: 63) }.get() }
    }

    /// The eight-byte fast path must notice a quote, backslash or control byte at every position
    /// of a word, and must not misread bytes ≥ 0x80 or 0x7F.
    @Test func stringFastPathSeesEverySpecialByteAtEveryPosition() throws {
        for length in 0..<24 {
            for position in 0..<max(length, 1) {
                for special: UInt8 in [0x22, 0x5C, 0x00, 0x1F, 0x0A] {
                    var content = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { content[position] = special }
                    let bytes = [0x22] + content + [0x22]
                    let result = bytes.withUnsafeBytes { raw in
                        var s = JSONScanner(raw)
                        return Result { () throws(JSONSyntaxError) in try s.skipValue() }
                    }
                    if length == 0 {
                        #expect(try result.get() == 0..<2)
                    } else if special == 0x22 {
                        // The string ends at the inner quote; the rest is outside it.
                        #expect(try result.get() == 0..<(position + 2))
                    } else if special == 0x5C {
                        // "\a" is an invalid escape; a backslash just before the closing quote escapes it.
                        #expect(throws: JSONSyntaxError.self) { try result.get() }
                    } else {
                        #expect(throws: JSONSyntaxError(reason: .controlCharacterInString, offset: position + 1)) {
                            try result.get()
                        }
                    }
                }
            }
        }
        let wide = Array("\"\u{7F}é😀ü\u{7F}xxxxxxxxxxxxxxxx\"".utf8)
        #expect(JSONValidator.isValid(wide))
    }

    @Test func hasSpecialByteIsExactForAnyOfTheThree() {
        for byte in 0...255 {
            let expected = byte == 0x22 || byte == 0x5C || byte < 0x20
            for position in 0..<8 {
                var word: UInt64 = 0x6161_6161_6161_6161
                word &= ~(0xFF << UInt64(position * 8))
                word |= UInt64(byte) << UInt64(position * 8)
                #expect(JSONScanner.hasSpecialByte(word) == expected, "byte \(byte) at \(position)")
            }
        }
    }

    @Test(arguments: [
        (#"plain"#, "plain"), (#"a\"b\\c\/d"#, "a\"b\\c/d"), (#"\b\f\n\r\t"#, "\u{8}\u{C}\n\r\t"),
        (#"\u0041\u00e9\u20AC"#, "Aé€"), (#"\ud83d\ude00!"#, "😀!"), (#"x\ud800y"#, "x\u{FFFD}y"),
        (#"\udc00"#, "\u{FFFD}"), (#"\ud800\u0041"#, "\u{FFFD}A"), ("é😀", "é😀"),
    ])
    func decodesStrings(content: String, decoded: String) throws {
        let text = "\"" + content + "\""
        let result = try scan(text) { s throws(JSONSyntaxError) in
            let token = try s.scanString()
            #expect(token.range == 1..<(text.utf8.count - 1))
            return s.string(token)
        }.get()
        #expect(result == decoded)
    }

    @Test(arguments: [
        ("0", 0 as Int?), ("1", 1), ("9007199254740991", 9_007_199_254_740_991), ("9007199254740992", nil),
        ("99999999999999999999", nil), ("-1", nil), ("1.0", nil), ("1e2", nil), ("-0", nil),
    ])
    func integerValues(text: String, value: Int?) throws {
        #expect(try scan(text) { s throws(JSONSyntaxError) in s.integerValue(try s.scanNumber()) }.get() == value)
    }
}

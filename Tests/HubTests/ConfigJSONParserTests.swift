import Testing
@testable import Hub

@Suite struct ConfigJSONParserTests {
    private func parse(_ text: String) throws -> ConfigJSON { try ConfigJSONParser.parse(Array(text.utf8)) }

    @Test func values() throws {
        #expect(try parse(#" {"a": [1, -2.5e+3, true, false, null, "x"], "b": {}} "#) == .object([
            ("a", .array([.number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null, .string("x")])),
            ("b", .object([])),
        ]))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
    }

    @Test(arguments: ["", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "tru", "nul", "1.", "-", "01", "\"\\x\"",
                      "\"\\ud800\"", "\"a\nb\"", "{} x", "\"unterminated", String(repeating: "[", count: 100)])
    func rejectsInvalidDocuments(text: String) {
        #expect(throws: ConfigJSONParser.Failure.self) { try parse(text) }
    }

    @Test func reportsLineAndColumn() {
        #expect(throws: ConfigJSONParser.Failure(line: 2, column: 8, reason: "expected ',' or '}' in an object")) {
            try parse("{\"a\": 1,\n\"b\": 2 \"c\": 3}")
        }
    }
}

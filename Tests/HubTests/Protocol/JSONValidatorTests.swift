import Foundation
import Testing
@testable import Hub

/// One row of the validity table: a document and whether RFC 8259 allows it.
struct JSONCase: CustomTestStringConvertible, Sendable {
    let text: String
    let valid: Bool
    /// JSONSerialization's verdict differs from RFC 8259's (documented in `foundationDisagreements`).
    var foundationDiffers = false

    var testDescription: String { "\(valid ? "valid" : "invalid"): \(text.debugDescription)" }

    static func ok(_ text: String) -> JSONCase { JSONCase(text: text, valid: true) }
    static func bad(_ text: String) -> JSONCase { JSONCase(text: text, valid: false) }
    /// A row where JSONSerialization's verdict is the opposite (see `foundationDisagreements`).
    static func ok(_ text: String, foundationDiffers: Bool) -> JSONCase {
        JSONCase(text: text, valid: true, foundationDiffers: foundationDiffers)
    }
    static func bad(_ text: String, foundationDiffers: Bool) -> JSONCase {
        JSONCase(text: text, valid: false, foundationDiffers: foundationDiffers)
    }
}

@Suite struct JSONValidatorTests {
    static let cases: [JSONCase] = [
        // Scalars at the top level (RFC 8259 §2 allows any value).
        .ok("0"), .ok("-0"), .ok("123"), .ok("-12.5e+3"), .ok("1E2"), .ok("1e-7"), .ok("0.5"),
        .ok("true"), .ok("false"), .ok("null"), .ok(#""""#), .ok(#""abc""#), .ok(" \t\r\n 1 \n"),
        // Strings.
        .ok(#""\" \\ \/ \b \f \n \r \t""#), .ok(#""\u0041\u00e9\uABCD""#), .ok(#""\ud83d\ude00""#),
        .ok("\"é 😀 ü\""), .ok("\"\u{7F}\""),
        .ok(#""\ud800""#, foundationDiffers: true), .ok(#""\udc00 alone""#, foundationDiffers: true),  // lone surrogates: syntactically allowed (§7, §8.2)
        // Containers.
        .ok("{}"), .ok("[]"), .ok(#"{"a":1}"#), .ok(#"{ "a" : [ 1 , { "b" : null } ] , "c" : "d" }"#),
        .ok("[1,[2,[3,[]]],{}]"), .ok(#"{"a":1,"a":2}"#), .ok(#"[" ", "\u0000"]"#),
        .ok(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)),
        // Numbers RFC 8259 rejects.
        .bad("01"), .bad("-01"), .bad("00"), .bad("1."), .bad(".5"), .bad("+1"), .bad("1e"), .bad("1e+"),
        .bad("-"), .bad("--1"), .bad("0x10"), .bad("1.5.2"), .bad("NaN"), .bad("Infinity"), .bad("-Infinity"),
        // Literals.
        .bad("tru"), .bad("True"), .bad("nul"), .bad("nulll"), .bad("undefined"),
        // Strings RFC 8259 rejects.
        .bad(#""abc"#), .bad(#"'abc'"#), .bad(#""\x41""#), .bad(#""\u12""#), .bad(#""\u12G4""#),
        .bad(#""\U0041""#), .bad("\"a\nb\""), .bad("\"a\tb\""), .bad("\"\u{0}\""), .bad("\"\u{1F}\""),
        .bad(#""\"#),
        // Structure.
        .bad(""), .bad("   "), .bad("[1,]", foundationDiffers: true), .bad(#"{"a":1,}"#, foundationDiffers: true), .bad("[,1]"), .bad("{,}"), .bad("[1 2]"),
        .bad(#"{"a" 1}"#), .bad(#"{"a":}"#), .bad("{a:1}"), .bad("{1:1}"), .bad("[1"), .bad(#"{"a":1"#),
        .bad("]"), .bad("}"), .bad("1 2"), .bad("{} {}"), .bad("[1]]"), .bad("/* c */ 1"), .bad("1 // c"),
        .bad("\u{FEFF}1", foundationDiffers: true), .bad("\u{A0}1"),
        .bad(String(repeating: "[", count: 65) + String(repeating: "]", count: 65), foundationDiffers: true),
    ]

    /// Where JSONSerialization (swift-corelibs-foundation 6.3, `.fragmentsAllowed`) and this
    /// scanner part, measured by `agreesWithFoundation`; we follow RFC 8259 in every case:
    /// - trailing commas `[1,]`, `{"a":1,}`: Foundation accepts them, RFC 8259 §4/§5 does not;
    /// - a leading byte-order mark: Foundation skips it, RFC 8259 §8.1 says not to add one and a
    ///   WebSocket text frame has no business carrying one;
    /// - lone surrogate escapes `"\ud800"`: Foundation rejects them (it must build an `NSString`),
    ///   RFC 8259 §7 allows them syntactically (§8.2: meaning unpredictable);
    /// - 65 nested arrays: Foundation allows deeper nesting, we stop at 64 (our bound, not the RFC's).
    static let foundationDisagreements = ["[1,]", #"{"a":1,}"#, "\u{FEFF}1", #""\ud800""#, "65 × ["]

    @Test(arguments: cases)
    func verdict(_ c: JSONCase) {
        #expect(JSONValidator.isValid(Array(c.text.utf8)) == c.valid)
    }

    @Test(arguments: cases)
    func agreesWithFoundation(_ c: JSONCase) {
        let foundation = (try? JSONSerialization.jsonObject(with: Data(c.text.utf8), options: .fragmentsAllowed)) != nil
        if c.foundationDiffers {
            #expect(foundation != c.valid, "no longer a disagreement: update the table")
        } else {
            #expect(foundation == c.valid, "JSONSerialization says \(foundation)")
        }
    }
}

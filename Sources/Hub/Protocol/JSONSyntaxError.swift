/// Why a byte sequence is not RFC 8259 JSON, and the byte offset where the scanner noticed.
///
/// A value type with a small reason enum rather than a message string, so that rejecting garbage
/// (which untrusted clients send at will) costs no allocation; `description` builds the text only
/// when an error reply is actually written.
struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What rule the input broke.
    enum Reason: Equatable, Sendable {
        /// The input ended inside a value.
        case unexpectedEnd
        /// A byte that cannot start a value here (e.g. `'`, `N`, a trailing `,` before `]`).
        case unexpectedCharacter
        /// A number outside RFC 8259 §6 (`01`, `1.`, `.5`, `+1`, `1e`, `-`).
        case invalidNumber
        /// A `t`, `f` or `n` that does not spell `true`, `false` or `null`.
        case invalidLiteral
        /// A backslash not followed by one of `"\/bfnrt` or `u` and four hex digits (§7).
        case invalidEscape
        /// An unescaped byte below 0x20 inside a string (§7).
        case controlCharacterInString
        /// An object member that does not start with a quoted key.
        case expectedKey
        /// A key not followed by `:`.
        case expectedColon
        /// A value in an object or array not followed by `,` or the closing bracket.
        case expectedCommaOrClose
        /// More than `JSONScanner.maxDepth` arrays and objects open at once.
        case tooDeep
        /// Something other than whitespace after the document's one value.
        case trailingCharacters
    }

    /// The rule broken.
    let reason: Reason
    /// Offset of the offending byte (or the input's length when it ended too early).
    let offset: Int

    /// A short English message, e.g. `invalid escape at byte 12`.
    var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "unexpected end of input"
        case .unexpectedCharacter: what = "unexpected character"
        case .invalidNumber: what = "invalid number"
        case .invalidLiteral: what = "invalid literal"
        case .invalidEscape: what = "invalid escape"
        case .controlCharacterInString: what = "unescaped control character in a string"
        case .expectedKey: what = "expected a quoted key"
        case .expectedColon: what = "expected ':'"
        case .expectedCommaOrClose: what = "expected ',' or a closing bracket"
        case .tooDeep: what = "nested deeper than \(JSONScanner.maxDepth) levels"
        case .trailingCharacters: what = "unexpected text after the value"
        }
        return "\(what) at byte \(offset)"
    }
}

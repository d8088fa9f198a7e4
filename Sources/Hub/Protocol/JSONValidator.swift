/// Checks whole documents against RFC 8259: exactly one value of any kind (§2 allows scalars at
/// the top), with optional whitespace around it.
///
/// A thin layer over `JSONScanner` for callers that only need a verdict or the value's range
/// (e.g. the HTTP publish API checking a body's `data`).
enum JSONValidator {
    /// Throws at the first byte that breaks RFC 8259; returns the range of the document's value
    /// (whitespace around it excluded).
    /// - Throws: `JSONSyntaxError`; `.trailingCharacters` when a value is followed by more text.
    @discardableResult
    static func validate(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> Range<Int> {
        var scanner = JSONScanner(bytes)
        let range = try scanner.skipValue()
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error(.trailingCharacters) }
        return range
    }

    /// `validate` over an array's bytes.
    @discardableResult
    static func validate(_ bytes: [UInt8]) throws(JSONSyntaxError) -> Range<Int> {
        let result: Result<Range<Int>, JSONSyntaxError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) in try validate(raw) }
        }
        return try result.get()
    }

    /// Whether `bytes` are one JSON document.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        (try? validate(bytes)) != nil
    }
}

/// Builds one JSON array into a byte array, element by element: `[1,"a",{"k":true}]`.
///
/// The array counterpart of `JSONObjectWriter` (which it nests with), e.g. for the
/// `publications` of a history result or the `clients` of a presence result.
struct JSONArrayWriter {
    private var bytes: [UInt8]
    private var isEmpty = true

    /// An empty array, with room for `capacity` bytes before the buffer grows.
    init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "["))
    }

    /// An array written at the end of `bytes` (used for nesting).
    init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
        self.bytes.append(UInt8(ascii: "["))
    }

    private mutating func separate() {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
    }

    /// A quoted, escaped string.
    mutating func string(_ value: String) {
        separate()
        JSONPrimitives.appendQuoted(value, to: &bytes)
    }

    /// A quoted string, or `null` when `value` is `nil`.
    mutating func string(_ value: String?) {
        guard let value else { return null() }
        string(value)
    }

    /// An integer.
    mutating func int(_ value: Int) {
        separate()
        JSONPrimitives.appendDecimal(value, to: &bytes)
    }

    /// `true` or `false`.
    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `null`.
    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// `json` unchanged; it must be one valid JSON value (e.g. a stored publication push).
    mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// An object with the members `build` writes.
    mutating func object(_ build: (inout JSONObjectWriter) -> Void) {
        separate()
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        var child = JSONObjectWriter(appendingTo: taken)
        build(&child)
        bytes = child.finish()
    }

    /// An array with the elements `build` writes.
    mutating func array(_ build: (inout JSONArrayWriter) -> Void) {
        separate()
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        var child = JSONArrayWriter(appendingTo: taken)
        build(&child)
        bytes = child.finish()
    }

    /// The array's bytes, closed.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }
}

/// Builds one JSON object into a byte array, member by member, in the order written:
/// `{"topic":"a","epoch":"x","offset":3}`.
///
/// For result bodies and other small documents; keys and string values are escaped
/// (`JSONPrimitives`), raw values are the caller's already valid JSON and go in unchanged.
///
///     var body = JSONObjectWriter()
///     body.string("topic", "a")
///     body.int("offset", 3)
///     let bytes = body.finish()
struct JSONObjectWriter {
    private var bytes: [UInt8]
    private var isEmpty = true

    /// An empty object, with room for `capacity` bytes before the array grows.
    init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// An object written at the end of `bytes` (used for nesting).
    init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
        self.bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ key: String) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        JSONPrimitives.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// `"key":"value"`.
    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        JSONPrimitives.appendQuoted(value, to: &bytes)
    }

    /// `"key":"value"`, or `"key":null` when `value` is `nil` (e.g. an anonymous client's user).
    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return null(key) }
        string(key, value)
    }

    /// `"key":123`.
    mutating func int(_ key: String, _ value: Int) {
        self.key(key)
        JSONPrimitives.appendDecimal(value, to: &bytes)
    }

    /// `"key":true` or `"key":false`.
    mutating func bool(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `"key":null`.
    mutating func null(_ key: String) {
        self.key(key)
        bytes.append(contentsOf: "null".utf8)
    }

    /// `"key":` then `json` unchanged; `json` must be one valid JSON value (e.g. a client's `data`).
    mutating func raw(_ key: String, _ json: some Collection<UInt8>) {
        self.key(key)
        bytes.append(contentsOf: json)
    }

    /// `"key":{…}` with the members `build` writes.
    mutating func object(_ key: String, _ build: (inout JSONObjectWriter) -> Void) {
        self.key(key)
        var child = JSONObjectWriter(appendingTo: take())
        build(&child)
        bytes = child.finish()
    }

    /// `"key":[…]` with the elements `build` writes.
    mutating func array(_ key: String, _ build: (inout JSONArrayWriter) -> Void) {
        self.key(key)
        var child = JSONArrayWriter(appendingTo: take())
        build(&child)
        bytes = child.finish()
    }

    /// The buffer, moved out so a nested writer appends to it without a copy.
    private mutating func take() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    /// The object's bytes, closed.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}

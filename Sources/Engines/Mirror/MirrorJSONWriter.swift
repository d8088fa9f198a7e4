/// Builds the engine's JSON objects into bytes (numbers rounded to three decimals).
struct MirrorJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var first = [true]

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    private mutating func key(_ k: String) {
        if first[first.count - 1] { first[first.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
        Self.quote(k, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func open() {
        bytes.append(UInt8(ascii: "{"))
        first.append(true)
    }

    mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        first.removeLast()
    }

    mutating func object(_ k: String, _ body: (inout MirrorJSONWriter) -> Void) {
        key(k)
        open()
        body(&self)
        close()
    }

    mutating func string(_ k: String, _ v: String?) {
        key(k)
        if let v { Self.quote(v, into: &bytes) } else { bytes.append(contentsOf: Array("null".utf8)) }
    }

    mutating func int(_ k: String, _ v: Int) {
        key(k)
        bytes.append(contentsOf: Array(String(v).utf8))
    }

    mutating func number(_ k: String, _ v: Double?) {
        key(k)
        bytes.append(contentsOf: Array((v.map(Self.format) ?? "null").utf8))
    }

    mutating func bool(_ k: String, _ v: Bool) {
        key(k)
        bytes.append(contentsOf: Array((v ? "true" : "false").utf8))
    }

    /// `v` rounded to three decimals, without a trailing `.0`; non-finite values as 0.
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 1000).rounded() / 1000
        if r == 0 { return "0" }
        if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
        return String(r)
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(contentsOf: EngineJSON.quoted(s))
    }
}

/// One server-sent event (the WHATWG HTML "server-sent events" section, §9.2.6).
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; nil for the default type `message`.
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The `id:` field, if the event had one.
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental `text/event-stream` parser: a value-type state machine fed byte chunks split
/// anywhere, returning the events each chunk completes. No I/O, no Foundation.
///
/// The rules kept (WHATWG §9.2.6): lines end in CR LF, LF or CR (a CR at the end of one chunk and
/// an LF at the start of the next are one line end); a line starting with `:` is a comment; the
/// field name runs to the first `:`, and one space after it is dropped; `data` lines accumulate
/// with `\n` between them; an empty line dispatches the event if it has data; a leading UTF-8
/// BOM is ignored; an unterminated last event is dropped at `finish()`. `retry` and unknown
/// fields are ignored. Each line is bounded (`maxLineBytes`) so a peer cannot grow it forever.
public struct SSEParser: Sendable {
    /// Why the stream was refused.
    public enum Failure: Error, Sendable, Equatable {
        /// A line longer than the limit.
        case lineTooLong(Int)
    }

    /// Longest line accepted, in bytes.
    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?

    /// A parser at the start of a stream, refusing lines over `maxLineBytes`.
    public init(maxLineBytes: Int = 1 << 20) { self.maxLineBytes = maxLineBytes }

    /// Feeds one chunk; returns the events it completed, in order.
    public mutating func feed<C: Collection>(_ bytes: C) throws(Failure) -> [SSEEvent] where C.Element == UInt8 {
        var out: [SSEEvent] = []
        for b in bytes {
            if afterCR {
                afterCR = false
                if b == 0x0A { continue }  // the LF of a CR LF
            }
            switch b {
            case 0x0D:
                afterCR = true
                endLine(&out)
            case 0x0A:
                endLine(&out)
            default:
                guard line.count < maxLineBytes else { throw .lineTooLong(maxLineBytes) }
                line.append(b)
            }
        }
        return out
    }

    /// The stream ended: a last event without its empty line is dropped (as the spec says).
    public mutating func finish() {
        line.removeAll()
        resetEvent()
    }

    private mutating func endLine(_ out: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        var start = 0
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }
        let l = line[start...]
        if l.isEmpty {
            if hasData {
                out.append(SSEEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id))
            }
            resetEvent()
            return
        }
        if l.first == 0x3A { return }  // a comment
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = l.firstIndex(of: 0x3A) {
            name = l[l.startIndex..<colon]
            value = l[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            name = l
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            event = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        default:
            break
        }
    }

    private mutating func resetEvent() {
        data.removeAll(keepingCapacity: true)
        hasData = false
        event = nil
    }
}

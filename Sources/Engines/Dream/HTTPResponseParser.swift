/// An incremental HTTP/1.1 response parser (RFC 9112) for the upstream client: a value-type
/// state machine fed byte chunks split anywhere, returning the head once, then body bytes, then
/// the end. No I/O, no Foundation.
///
/// Bodies: `Transfer-Encoding: chunked` (chunk extensions and trailers skipped), else
/// `Content-Length`, else until the connection closes (`finish()`). 1xx heads are skipped; 204
/// and 304 have no body. The head is bounded (`maxHeadBytes`) and so is a chunk-size line.
public struct HTTPResponseParser: Sendable {
    /// What a chunk completed.
    public enum Event: Sendable, Equatable {
        /// The status line and header fields (names as sent).
        case head(status: Int, headers: [HTTPField])
        /// A piece of the (de-chunked) body.
        case body([UInt8])
        /// The body is complete.
        case end
    }

    /// Why the response is unusable.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case headTooLarge(Int)
        case malformedStatusLine(String)
        case malformedHeader(String)
        case malformedChunk(String)
        case badContentLength(String)
        /// The connection closed before the body was complete.
        case truncated
        public var description: String {
            switch self {
            case .headTooLarge(let n): return "response head over \(n) bytes"
            case .malformedStatusLine(let l): return "malformed status line \"\(l)\""
            case .malformedHeader(let l): return "malformed header line \"\(l)\""
            case .malformedChunk(let l): return "malformed chunk size \"\(l)\""
            case .badContentLength(let v): return "bad Content-Length \"\(v)\""
            case .truncated: return "the connection closed before the response was complete"
            }
        }
    }

    private enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    /// Largest head accepted.
    public let maxHeadBytes: Int
    private var state: State = .head
    private var buffer: [UInt8] = []

    /// A parser waiting for a response head of at most `maxHeadBytes`.
    public init(maxHeadBytes: Int = 64 * 1024) { self.maxHeadBytes = maxHeadBytes }

    /// Whether the body is complete.
    public var isDone: Bool { state == .done }

    /// Feeds one chunk; returns what it completed, in order.
    public mutating func feed(_ bytes: [UInt8]) throws(Failure) -> [Event] {
        var out: [Event] = []
        var i = 0
        while i < bytes.count {
            switch state {
            case .head, .chunkSize, .chunkDataEnd, .trailers:
                // Line-oriented states: collect to the LF.
                let b = bytes[i]
                i += 1
                if b != 0x0A {
                    buffer.append(b)
                    let limit = state == .head || state == .trailers ? maxHeadBytes : 1024
                    if buffer.count > limit {
                        if state == .chunkSize { throw .malformedChunk("over 1024 bytes") }
                        throw .headTooLarge(maxHeadBytes)
                    }
                    continue
                }
                if buffer.last == 0x0D { buffer.removeLast() }
                let line = buffer
                buffer.removeAll(keepingCapacity: true)
                try self.line(line, &out)
            case .fixed(let remaining):
                let n = min(remaining, bytes.count - i)
                out.append(.body(Array(bytes[i..<(i + n)])))
                i += n
                if remaining == n {
                    state = .done
                    out.append(.end)
                } else {
                    state = .fixed(remaining: remaining - n)
                }
            case .chunkData(let remaining):
                let n = min(remaining, bytes.count - i)
                out.append(.body(Array(bytes[i..<(i + n)])))
                i += n
                state = remaining == n ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            case .untilClose:
                out.append(.body(Array(bytes[i...])))
                i = bytes.count
            case .done:
                return out  // bytes after the body (the server should have closed): ignored
            }
        }
        return out
    }

    /// The connection closed: ends a close-delimited body, else fails unless the body was done.
    public mutating func finish() throws(Failure) -> [Event] {
        switch state {
        case .untilClose:
            state = .done
            return [.end]
        case .done:
            return []
        default:
            throw .truncated
        }
    }

    // MARK: Lines

    private var headLines: [String] = []
    private var status = 0

    private mutating func line(_ line: [UInt8], _ out: inout [Event]) throws(Failure) {
        let text = String(decoding: line, as: UTF8.self)
        switch state {
        case .head:
            if !line.isEmpty {
                headLines.append(text)
                return
            }
            if headLines.isEmpty { return }  // stray empty lines before the status line
            try endHead(&out)
        case .chunkSize:
            let size = text.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces } ?? ""
            guard !size.isEmpty, size.count <= 15, let n = Int(size, radix: 16) else { throw .malformedChunk(text) }
            state = n == 0 ? .trailers : .chunkData(remaining: n)
        case .chunkDataEnd:
            guard line.isEmpty else { throw .malformedChunk(text) }
            state = .chunkSize
        case .trailers:
            if line.isEmpty {
                state = .done
                out.append(.end)
            }
        default:
            break
        }
    }

    private mutating func endHead(_ out: inout [Event]) throws(Failure) {
        let lines = headLines
        headLines.removeAll()
        let statusLine = lines[0]
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]),
              (100...999).contains(code) else {
            throw .malformedStatusLine(statusLine)
        }
        var headers: [HTTPField] = []
        for l in lines.dropFirst() {
            guard let colon = l.firstIndex(of: ":"), colon != l.startIndex else { throw .malformedHeader(l) }
            headers.append(HTTPField(name: String(l[..<colon]), value: String(l[l.index(after: colon)...]).trimmingSpaces))
        }
        if (100..<200).contains(code) { return }  // an interim response: the real one follows
        status = code
        out.append(.head(status: code, headers: headers))
        let te = headers.first { $0.name.lowercased() == "transfer-encoding" }?.value.lowercased()
        let cl = headers.first { $0.name.lowercased() == "content-length" }?.value
        if code == 204 || code == 304 {
            state = .done
            out.append(.end)
        } else if let te, te.split(separator: ",").last.map({ $0.trimmingSpaces }) == "chunked" {
            state = .chunkSize
        } else if let cl {
            guard let n = Int(cl), n >= 0 else { throw .badContentLength(cl) }
            if n == 0 {
                state = .done
                out.append(.end)
            } else {
                state = .fixed(remaining: n)
            }
        } else {
            state = .untilClose
        }
    }
}

/// One header field.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

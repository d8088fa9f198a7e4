/// An incremental parser for an HTTP/1.x request head (RFC 9112 §2–§5), fed bytes as they arrive.
///
/// A value-type state machine that looks at one byte at a time and keeps only the current line,
/// so the outcome never depends on how the input was chunked: the head may arrive one byte at a
/// time. It stops at the blank line and reports how many bytes of the last chunk it used; what
/// follows belongs to the WebSocket stream (RFC 6455 §4.1: the client may send frames right after
/// its handshake). Lenient where real servers are (bare LF line endings, RFC 9112 §2.2; empty lines
/// before the request line, RFC 9112 §2.2), strict elsewhere: control bytes, obs-fold and
/// whitespace before the colon are rejected with 400 (RFC 9112 §5.1, §5.2).
public struct HTTPHeadParser: Sendable {
    /// What one `feed` produced.
    public enum Result: Sendable, Equatable {
        /// The head is not complete yet; every byte of the chunk was used.
        case needMore
        /// The head is complete; `consumed` bytes of this chunk belonged to it (through the blank
        /// line's LF), and the rest of the chunk belongs to the WebSocket stream.
        case complete(HTTPRequestHead, consumed: Int)
        /// The head is invalid; answer with `error.response` and close.
        case failed(HTTPError)
    }

    private enum State: Sendable {
        case requestLine
        case headerLine
        case done(HTTPRequestHead)
        case failed(HTTPError)
    }

    /// The largest head accepted, blank line included; more is answered with 431 (RFC 6585 §5).
    public let maxHeadBytes: Int
    /// The most header fields accepted; more is answered with 431 (RFC 6585 §5).
    public let maxHeaders: Int

    private var state: State = .requestLine
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var total = 0
    private var method = ""
    private var target = ""
    private var versionMinor = 0
    private var headers: [(name: String, value: String)] = []

    /// Creates a parser with the given limits (`maxHeadBytes` counts every byte up to and including
    /// the blank line).
    public init(maxHeadBytes: Int = 8192, maxHeaders: Int = 100) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaders = maxHeaders
    }

    /// Feeds the next chunk. After `.complete` further calls return `.complete(head, consumed: 0)`;
    /// after `.failed` they return the same failure.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Result {
        switch state {
        case .done(let head): return .complete(head, consumed: 0)
        case .failed(let error): return .failed(error)
        case .requestLine, .headerLine: break
        }
        for i in 0..<bytes.count {
            if let result = step(bytes[i]) {
                switch result {
                case .complete(let head, _): return .complete(head, consumed: i + 1)
                default: return result
                }
            }
        }
        return .needMore
    }

    /// Feeds the next chunk from an array; see `feed(_: UnsafeRawBufferPointer)`.
    public mutating func feed(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Consumes one byte; returns nil to continue, or the final result (with `consumed` unset).
    private mutating func step(_ b: UInt8) -> Result? {
        total += 1
        if total > maxHeadBytes {
            return fail(.requestHeaderFieldsTooLarge, "request head larger than \(maxHeadBytes) bytes")
        }
        if lastWasCR && b != ASCII.lf { return fail(.badRequest, "CR not followed by LF") }
        switch b {
        case ASCII.cr:
            lastWasCR = true
            return nil
        case ASCII.lf:
            lastWasCR = false
            return endOfLine()
        case ASCII.tab:
            break
        case 0x00..<0x20, 0x7F:
            return fail(.badRequest, "control character in request head")
        default:
            break
        }
        line.append(b)
        return nil
    }

    private mutating func endOfLine() -> Result? {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .requestLine:
            if line.isEmpty { return nil }  // RFC 9112 §2.2: ignore empty lines before the request line
            return parseRequestLine()
        case .headerLine:
            if line.isEmpty {
                let head = HTTPRequestHead(method: method, target: target, versionMajor: 1,
                                           versionMinor: versionMinor, headers: headers)
                state = .done(head)
                return .complete(head, consumed: 0)
            }
            return parseHeaderLine()
        case .done, .failed:
            return nil
        }
    }

    private mutating func parseRequestLine() -> Result? {
        let parts = line.split(separator: ASCII.space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy(ASCII.isTokenChar),
              parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return fail(.badRequest, "malformed request line") }
        let v = Array(parts[2])
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
        guard v.count == 8, v[0...4].elementsEqual("HTTP/".utf8), ASCII.isDigit(v[5]),
              v[6] == UInt8(ascii: "."), ASCII.isDigit(v[7])
        else { return fail(.badRequest, "malformed HTTP version") }
        guard v[5] == UInt8(ascii: "1") else {
            return fail(.httpVersionNotSupported, "only HTTP/1.x is supported")
        }
        method = String(decoding: parts[0], as: UTF8.self)
        target = String(decoding: parts[1], as: UTF8.self)
        versionMinor = Int(v[7] - 0x30)
        state = .headerLine
        return nil
    }

    private mutating func parseHeaderLine() -> Result? {
        if ASCII.isOWS(line[0]) {
            return fail(.badRequest, "obsolete line folding in header")  // RFC 9112 §5.2
        }
        guard let colon = line.firstIndex(of: ASCII.colon) else {
            return fail(.badRequest, "header line without colon")
        }
        let name = line[..<colon]
        if let last = name.last, ASCII.isOWS(last) {
            return fail(.badRequest, "whitespace before colon in header")  // RFC 9112 §5.1
        }
        guard !name.isEmpty, name.allSatisfy(ASCII.isTokenChar) else {
            return fail(.badRequest, "invalid header name")
        }
        guard headers.count < maxHeaders else {
            return fail(.requestHeaderFieldsTooLarge, "more than \(maxHeaders) headers")
        }
        let value = ASCII.trimmingOWS(line[(colon + 1)...])
        headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        return nil
    }

    private mutating func fail(_ status: HTTPStatus, _ message: String) -> Result {
        let error = HTTPError(status: status, message: message)
        state = .failed(error)
        return .failed(error)
    }
}

import Foundation

/// An HTTP/1.1 response as the server wrote it, split into status, headers and body.
struct TestHTTPResponse {
    /// The status code of the status line.
    let status: Int
    /// The whole status line, without CRLF.
    let statusLine: String
    /// Header fields in order, as sent.
    let headers: [(name: String, value: String)]
    /// The bytes after the blank line.
    let body: [UInt8]

    /// The value of the first header named `name` (case-insensitive), or nil.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every header named `name` (case-insensitive).
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body as UTF-8 text.
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Where the head ends (just past `\r\n\r\n`) in `bytes`, or nil if it is not complete yet.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4)
        where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    /// Parses a head and body; nil when `bytes` is not a well-formed response head.
    init?(_ bytes: [UInt8]) {
        guard let end = TestHTTPResponse.headEnd(in: bytes) else { return nil }
        let head = String(decoding: bytes[..<(end - 4)], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let code = Int(parts[1]) else { return nil }
        status = code
        var fields: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields.append((name, value))
        }
        headers = fields
        body = Array(bytes[end...])
    }
}

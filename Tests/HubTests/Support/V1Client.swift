import Foundation
import WSProtocol

/// One text message from the hub on a protocol-v1 endpoint: its exact bytes (inflated when it
/// came compressed) and the JSON object they hold, read with Foundation's `JSONSerialization`.
struct V1Message: CustomStringConvertible {
    /// The message's bytes as the application sees them (after inflating).
    let raw: [UInt8]
    /// Whether the frame had RSV1 set (permessage-deflate).
    let compressed: Bool
    /// The top-level JSON object.
    let json: [String: Any]

    init(raw: [UInt8], compressed: Bool) throws {
        self.raw = raw
        self.compressed = compressed
        guard let object = try JSONSerialization.jsonObject(with: Data(raw), options: [.fragmentsAllowed]) as? [String: Any] else {
            throw V1Client.Failure.notAnObject(String(decoding: raw, as: UTF8.self))
        }
        json = object
    }

    /// The message as text.
    var text: String { String(decoding: raw, as: UTF8.self) }
    var description: String { text }

    /// The reply's `id`, if any.
    var id: Int? { json["id"] as? Int }
    /// The reply's `result` object, if it is a successful reply.
    var result: [String: Any]? { json["result"] as? [String: Any] }
    /// The reply's `error` object, if it is an error.
    var error: [String: Any]? { json["error"] as? [String: Any] }
    /// `error.code`, if this is an error.
    var errorCode: String? { error?["code"] as? String }
    /// A push's `topic`.
    var topic: String? { json["topic"] as? String }
    /// A publication push's `offset`.
    var offset: Int? { json["offset"] as? Int }
    /// A presence push's `event`.
    var event: String? { json["event"] as? String }
    /// Whether this is a publication push: `topic` and `offset` and `data`, no `id`.
    var isPublication: Bool { id == nil && topic != nil && offset != nil && json["data"] != nil }

    /// The raw bytes that follow `"data":` in the message, to its closing brace: the publisher's
    /// data as the hub spliced it (the hub writes `data` last in a publication push).
    var rawData: String? {
        let t = text
        guard let r = t.range(of: #","data":"#), t.hasSuffix("}") else { return nil }
        return String(t[r.upperBound..<t.index(before: t.endIndex)])
    }
}

/// A protocol-v1 client over `TestWebSocketClient`: connects to `/ws` (optionally offering
/// permessage-deflate), reads the welcome push, sends JSON commands and reads the hub's messages,
/// keeping what it read ahead (pushes met while waiting for a reply) in order.
final class V1Client {
    enum Failure: Error, CustomStringConvertible {
        /// A close frame arrived where a message was expected.
        case closed(code: UInt16?, reason: String)
        /// A text message that is not a JSON object.
        case notAnObject(String)
        /// A frame that protocol v1 does not send (binary, or text that is not UTF-8).
        case unexpected(String)

        var description: String {
            switch self {
            case .closed(let code, let reason): return "the hub closed the connection (\(code.map(String.init) ?? "no code") \"\(reason)\")"
            case .notAnObject(let text): return "not a JSON object: \(text)"
            case .unexpected(let what): return "unexpected \(what)"
            }
        }
    }

    let ws: TestWebSocketClient
    /// The welcome push.
    let welcome: V1Message
    /// The client id the welcome push announced.
    let clientID: String
    /// Messages read but not handed out yet.
    private var ahead: [V1Message] = []

    /// Connects to `path` (default `/ws`), with `Sec-WebSocket-Extensions: permessage-deflate`
    /// when `deflate`, and reads the welcome push.
    init(port: Int, path: String = "/ws", deflate: Bool = false, extraHeaders: [(String, String)] = [],
         receiveBuffer: Int? = nil, timeout: Double = 10) throws {
        var headers = extraHeaders
        if deflate { headers.append(("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")) }
        ws = try TestWebSocketClient(port: port, path: path, extraHeaders: headers, receiveBuffer: receiveBuffer, timeout: timeout)
        welcome = try Self.readMessage(ws, timeout: timeout)
        guard welcome.json["op"] as? String == "welcome", let client = welcome.json["client"] as? String else {
            throw Failure.unexpected("first message \(welcome.text), expected the welcome push")
        }
        clientID = client
    }

    // MARK: - Sending

    /// Sends `json` as one text frame, as it is.
    func send(_ json: String) throws {
        try ws.sendText(json)
    }

    /// Sends `object` serialized by `JSONSerialization`.
    func send(_ object: [String: Any]) throws {
        try ws.send(.text, Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// Sends several commands in one TCP write (so the hub reads them in one go).
    func sendBatch(_ commands: [String]) throws {
        var bytes: [UInt8] = []
        for c in commands { bytes += WebSocketFrameEncoder.frame(.text, payload: Array(c.utf8), maskKey: ws.randomMaskKey()) }
        try ws.sendRaw(bytes)
    }

    // MARK: - Receiving

    /// The next message (one read ahead first). Throws `.closed` on a close frame, a timeout when
    /// nothing comes within `timeout` seconds.
    func next(timeout: Double = 10) throws -> V1Message {
        if !ahead.isEmpty { return ahead.removeFirst() }
        return try Self.readMessage(ws, timeout: timeout)
    }

    /// The next message if one comes within `timeout` seconds, else nil.
    func nextIfAny(timeout: Double) throws -> V1Message? {
        if !ahead.isEmpty { return ahead.removeFirst() }
        let deadline = TestDeadline(seconds: timeout)
        while true {
            guard let frame = try ws.readFrameIfAny(timeout: deadline.remaining) else { return nil }
            if let message = try Self.message(from: frame, ws) { return message }
        }
    }

    /// Waits for the reply with `id`; everything that came before it is returned as `before`, in
    /// order (pushes, error replies without id).
    func reply(id: Int, timeout: Double = 10) throws -> (reply: V1Message, before: [V1Message]) {
        let deadline = TestDeadline(seconds: timeout)
        var before: [V1Message] = []
        while true {
            let m = try next(timeout: deadline.remaining)
            if m.id == id { return (m, before) }
            before.append(m)
        }
    }

    /// Sends `json` (which must carry `"id": id`) and waits for its reply.
    func call(_ json: String, id: Int, timeout: Double = 10) throws -> (reply: V1Message, before: [V1Message]) {
        try send(json)
        return try reply(id: id, timeout: timeout)
    }

    /// `call` for a command expected to succeed: its `result` object; throws with the reply's
    /// text when it is an error or has no result. Messages before the reply stay queued for `next`.
    @discardableResult
    func result(_ json: String, id: Int, timeout: Double = 10) throws -> [String: Any] {
        let (reply, before) = try call(json, id: id, timeout: timeout)
        ahead.insert(contentsOf: before, at: 0)
        guard let result = reply.result else { throw Failure.unexpected("reply \(reply.text) to \(json)") }
        return result
    }

    /// Subscribes to `topic` and returns the result (`{topic, epoch, offset}`).
    @discardableResult
    func subscribe(_ topic: String, id: Int) throws -> [String: Any] {
        try result(#"{"op":"subscribe","id":\#(id),"topic":"\#(topic)"}"#, id: id)
    }

    /// Publishes `data` (raw JSON text) on `topic` with `id` and returns the offset.
    @discardableResult
    func publish(_ topic: String, data: String, id: Int) throws -> Int {
        let result = try result(#"{"op":"publish","id":\#(id),"topic":"\#(topic)","data":\#(data)}"#, id: id)
        guard let offset = result["offset"] as? Int else { throw Failure.unexpected("publish result \(result)") }
        return offset
    }

    /// Reads until the close frame and returns it with the messages that came before it. Throws
    /// a timeout if no close frame comes within `timeout` seconds.
    func readUntilClose(timeout: Double = 10) throws -> (close: TestFrame, before: [V1Message]) {
        let deadline = TestDeadline(seconds: timeout)
        var before = ahead
        ahead.removeAll()
        while true {
            let frame = try ws.readMessage(timeout: deadline.remaining)
            if frame.opcode == .close { return (frame, before) }
            if let m = try Self.message(from: frame, ws) { before.append(m) }
        }
    }

    private static func readMessage(_ ws: TestWebSocketClient, timeout: Double) throws -> V1Message {
        let deadline = TestDeadline(seconds: timeout)
        while true {
            let frame = try ws.readMessage(timeout: deadline.remaining)
            if let m = try message(from: frame, ws) { return m }
        }
    }

    /// The message in `frame`; nil for a ping or pong (the hub's keep-alive, answered here).
    private static func message(from frame: TestFrame, _ ws: TestWebSocketClient) throws -> V1Message? {
        switch frame.opcode {
        case .text:
            let payload = try ws.applicationPayload(of: frame)
            return try V1Message(raw: payload, compressed: frame.rsv1)
        case .ping:
            try ws.send(.pong, frame.payload)
            return nil
        case .pong:
            return nil
        case .close:
            throw Failure.closed(code: frame.closeCode, reason: frame.closeReason)
        default:
            throw Failure.unexpected("\(frame)")
        }
    }
}

/// A JSON string literal for `s` (quotes and escapes), for building commands by hand.
func jsonString(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}

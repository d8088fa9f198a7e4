import Engines
import Foundation
import Testing
@testable import Hub

/// A real hub with the dream engine built from a `DreamConfig` of the test's own (so breaker
/// intervals can be short), over a store of its own for user tokens.
enum DreamHub {
    /// Fast defaults for tests: a short pace, small limits.
    static func config() -> DreamConfig {
        var d = DreamConfig()
        d.paceMs = 5
        return d
    }

    @discardableResult
    static func run<T>(_ dream: DreamConfig = DreamHub.config(), _ configure: (inout HubConfig) -> Void = { _ in },
                       _ body: (IdentityHub) throws -> T) async throws -> T {
        try await IdentityHub.run(configure, engines: EngineRegistry(engines: [DreamEngine(config: dream)]), body)
    }
}

/// What the dream tests need of a protocol-v1 client (`V1Client` on `/ws`, `AuthClient` on `/ws/auth`).
protocol DreamClient: AnyObject {
    func send(_ json: String) throws
    func next(timeout: Double) throws -> V1Message
}

extension V1Client: DreamClient {}
extension AuthClient: DreamClient {}

/// One stream as a watcher saw it.
struct WatchedStream {
    /// The token pushes' data, in arrival order.
    var tokens: [[String: Any]]
    /// The final push's data.
    var done: [String: Any]
    /// Every publication offset, in arrival order.
    var offsets: [Int]
    /// The token texts.
    var texts: [String] { tokens.map { $0["token"] as? String ?? "?" } }
    /// The indexes.
    var indexes: [Int] { tokens.map { $0["index"] as? Int ?? -1 } }
}

extension DreamClient {
    /// Sends `json` with `id` and waits for that reply; pushes before it are dropped.
    func ask(_ json: String, id: Int, timeout: Double = 10) throws -> V1Message {
        try send(json)
        let deadline = TestDeadline(seconds: timeout)
        while true {
            let m = try next(timeout: deadline.remaining)
            if m.id == id { return m }
        }
    }

    /// Starts a stream; the reply's result, or throws with the reply.
    func startDream(_ args: String, id: Int) throws -> [String: Any] {
        let m = try ask(#"{"op":"engine","id":\#(id),"engine":"dream","action":"start","args":\#(args)}"#, id: id)
        guard let r = m.result else { throw V1Client.Failure.unexpected("start reply \(m.text)") }
        return r
    }

    /// A start's error reply (code and message).
    func startDreamError(_ args: String, id: Int) throws -> (code: String?, message: String?) {
        let m = try ask(#"{"op":"engine","id":\#(id),"engine":"dream","action":"start","args":\#(args)}"#, id: id)
        return (m.errorCode, m.error?["message"] as? String)
    }

    /// Watches `topic` from its beginning: the epoch from `history`, then `subscribe` with
    /// `recover` from offset 0 (the missed publications come first, then the live ones), until
    /// the done push.
    func watch(_ topic: String, id: Int, timeout: Double = 20) throws -> WatchedStream {
        let h = try ask(#"{"op":"history","id":\#(id),"topic":"\#(topic)","limit":1}"#, id: id)
        guard let epoch = h.result?["epoch"] as? String else { throw V1Client.Failure.unexpected("history \(h.text)") }
        try send(#"{"op":"subscribe","id":\#(id + 1),"topic":"\#(topic)","recover":{"epoch":\#(jsonString(epoch)),"offset":0}}"#)
        return try readStream(topic, timeout: timeout)
    }

    /// Reads pushes of `topic` until its done push (replies and other pushes are skipped).
    func readStream(_ topic: String, timeout: Double = 20) throws -> WatchedStream {
        let deadline = TestDeadline(seconds: timeout)
        var w = WatchedStream(tokens: [], done: [:], offsets: [])
        while true {
            let m = try next(timeout: deadline.remaining)
            if let e = m.error { throw V1Client.Failure.unexpected("error \(e)") }
            guard m.isPublication, m.topic == topic, let data = m.json["data"] as? [String: Any] else { continue }
            w.offsets.append(m.offset ?? -1)
            if data["done"] as? Bool == true {
                w.done = data
                return w
            }
            w.tokens.append(data)
        }
    }
}

/// Seconds since `start`, measured here (Dispatch's clock).
func dreamElapsed(_ start: DispatchTime) -> Double { secondsSince(start) }

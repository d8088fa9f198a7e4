import Foundation
import Testing
@testable import Hub

/// A user on `/ws/auth` for the telepathy tests: sends, acks and reads direct messages (pushes
/// on `user.<id>`, which the hub subscribes it to), keeping its own command ids.
final class DMUser {
    let name: String
    let client: AuthClient
    private var nextID = 1

    /// Connects with `token` and reads the welcome.
    init(port: Int, name: String, token: String) throws {
        self.name = name
        client = try AuthClient.welcomed(port: port, token: token).client
    }

    private func id() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    /// `send` expected to succeed: its result (`{"message":…}`).
    @discardableResult
    func send(to: String, data: String, key: String? = nil) throws -> [String: Any] {
        let n = id()
        var json = #"{"op":"send","id":\#(n),"to":\#(jsonString(to)),"data":\#(data)"#
        if let key { json += #","key":\#(jsonString(key))"# }
        return try client.result(json + "}", id: n)
    }

    /// `send` expected to succeed: the message id.
    func sendID(to: String, data: String, key: String? = nil) throws -> String {
        let r = try send(to: to, data: data, key: key)
        return try #require(r["message"] as? String, "send answered \(r)")
    }

    /// A command expected to fail: its error code and message.
    func failure(_ json: (Int) -> String) throws -> (code: String?, message: String) {
        let n = id()
        let reply = try client.call(json(n), id: n).reply
        return (reply.errorCode, reply.error?["message"] as? String ?? "(no error: \(reply.text))")
    }

    /// `ack` expected to succeed.
    func ack(_ message: String) throws {
        let n = id()
        let r = try client.result(#"{"op":"ack","id":\#(n),"message":\#(jsonString(message))}"#, id: n)
        #expect(r.isEmpty, "ack answered \(r)")
    }

    /// The telepathy `presence` action for `user`.
    func isOnline(_ user: String) throws -> Bool {
        let n = id()
        let r = try client.result(
            #"{"op":"engine","id":\#(n),"engine":"telepathy","action":"presence","args":{"user":\#(jsonString(user))}}"#, id: n)
        #expect(r["user"] as? String == user)
        return try #require(r["online"] as? Bool, "presence answered \(r)")
    }

    /// Asks until `user`'s presence is `online` (the hub has registered its connection).
    func waitUntil(_ user: String, online: Bool = true, timeout: Double = 10) throws {
        let deadline = TestDeadline(seconds: timeout)
        while try isOnline(user) != online {
            if deadline.remaining <= 0 { throw TestSocket.Failure.timeout("\(user) to be online: \(online)") }
            usleep(20_000)
        }
    }

    /// The next direct message (a push on `user.<name>`); other pushes are skipped.
    func nextDM(timeout: Double = 10) throws -> V1Message {
        let deadline = TestDeadline(seconds: timeout)
        while true {
            let m = try client.next(timeout: deadline.remaining)
            if m.id == nil, m.topic == "user." + name { return m }
        }
    }

    /// Direct messages up to and including the one whose data has `"marker": marker`.
    func dms(untilMarker marker: String, timeout: Double = 20) throws -> [V1Message] {
        let deadline = TestDeadline(seconds: timeout)
        var out: [V1Message] = []
        while true {
            let m = try nextDM(timeout: deadline.remaining)
            out.append(m)
            if DMUser.marker(m) == marker { return out }
        }
    }

    /// Closes the connection (close handshake, then TCP).
    func close() { DaemonIdentityTests.hangUp(client) }

    /// `data.marker` of a direct message.
    static func marker(_ m: V1Message) -> String? { (m.json["data"] as? [String: Any])?["marker"] as? String }

    /// `data.n` of a direct message.
    static func number(_ m: V1Message) -> Int? { (m.json["data"] as? [String: Any])?["n"] as? Int }

    /// `from.user` of a direct message.
    static func sender(_ m: V1Message) -> String? { (m.json["from"] as? [String: Any])?["user"] as? String }

    /// The message id of a direct message.
    static func messageID(_ m: V1Message) -> String? { m.json["message"] as? String }
}

/// What the telepathy tests share: tokens, a marker message, the health figures.
enum TelepathyTest {
    /// `IdentityHub.run` with the telepathy engine on (tests run without engines unless they ask).
    @discardableResult
    static func run<T>(_ configure: (inout HubConfig) -> Void = { _ in }, _ body: (IdentityHub) throws -> T) async throws -> T {
        try await IdentityHub.run({ c in
            c.engines = ["telepathy"]
            configure(&c)
        }, body)
    }

    /// Sends a marker from `sender` to `recipient` once the recipient is online: every unacked
    /// message before it is delivered before it (mailbox order), so reading up to the marker
    /// reads everything that is pending, with no sleeping.
    @discardableResult
    static func marker(_ name: String, from sender: DMUser, to recipient: String) throws -> String {
        try sender.waitUntil(recipient)
        return try sender.sendID(to: recipient, data: #"{"marker":\#(jsonString(name))}"#)
    }

    /// The direct messages of `dms` that are not markers.
    static func messages(_ dms: [V1Message]) -> [V1Message] { dms.filter { DMUser.marker($0) == nil } }

    /// `/health/ai`'s telepathy object.
    static func health(port: Int) throws -> [String: Any] {
        let r = try V1PublishAPITests.exchange("GET /health/ai HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", port: port)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r.bodyText)")
        return try #require((o["engines"] as? [String: Any])?["telepathy"] as? [String: Any], "\(r.bodyText)")
    }

    /// `POST /api/v1/digital-telepathy` with `body`, bearing `token`.
    static func post(port: Int, body: String, token: String?, method: String = "POST") throws -> TestHTTPResponse {
        var request = "\(method) /api/v1/digital-telepathy HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return try V1PublishAPITests.exchange(request, port: port)
    }

    /// The JSON object of an HTTP answer's body.
    static func json(_ r: TestHTTPResponse) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any]) ?? [:]
    }
}

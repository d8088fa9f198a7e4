import Broadcast
import WSProtocol

/// The HTTP API (`/api/v1/*`). For now `POST /api/v1/publish`, authorised by a bearer key from
/// the config (`api_keys`; the identity issue moves keys to SQLite). Errors are JSON:
/// `{"error":{"code":"unauthorized","message":"…"}}` with the matching status.
struct APIRoutes: Sendable {
    let apiKeys: [String]
    let namespaces: Namespaces

    /// The identity API publications carry: a server-side publisher, allowed wherever operators are.
    static let identity = ClientIdentity(client: "api", user: nil, isAdmin: true)

    func route(_ head: HTTPRequestHead, body: [UInt8]) -> Route? {
        switch head.path {
        case "/api/v1/publish":
            guard head.method == "POST" else {
                return .respond(Self.error(.methodNotAllowed, .badRequest, "use POST", headers: [("Allow", "POST")]))
            }
            if let denied = authorize(head) { return .respond(denied) }
            return publish(body)
        default:
            return head.path.hasPrefix("/api/") ? .respond(Self.error(.notFound, .notFound, "no such API: \(head.path)")) : nil
        }
    }

    private func authorize(_ head: HTTPRequestHead) -> HTTPResponse? {
        guard let value = head.header("Authorization"), value.count > 7,
              value.prefix(7).lowercased() == "bearer " else {
            return Self.error(.unauthorized, .unauthorized, "missing Authorization: Bearer <key>",
                              headers: [("WWW-Authenticate", "Bearer")])
        }
        let key = Array(value.utf8.dropFirst(7))
        // Every configured key is compared, in constant time, so timing tells nothing.
        var found = false
        for k in apiKeys where Self.constantTimeEquals(Array(k.utf8), key) { found = true }
        return found ? nil : Self.error(.unauthorized, .unauthorized, "unknown API key", headers: [("WWW-Authenticate", "Bearer")])
    }

    private func publish(_ body: [UInt8]) -> Route {
        let command: Command
        switch Command.parse(body, validating: true, impliedOp: .publish) {
        case .failure(let e): return .respond(Self.error(.badRequest, e.code, e.message))
        case .success(let c): command = c
        }
        guard command.kind == .publish, let topic = command.topic, let data = command.data else {
            return .respond(Self.error(.badRequest, .badRequest, #"the body must be {"topic": …, "data": …}"#))
        }
        guard let rules = namespaces.rules(for: topic) else {
            return .respond(Self.error(.forbidden, .forbidden, "unknown namespace \"\(TopicName.namespace(of: topic))\""))
        }
        guard rules.publish.allows(Self.identity) else {
            return .respond(Self.error(.forbidden, .forbidden, "publishing to \(topic) is not allowed"))
        }
        let bytes = Array(data)
        return .deferred { loop, done in
            loop.metrics.published()
            loop.busPort.publish(topic: topic, data: bytes, from: nil) { result in
                switch result {
                case .success(let p):
                    done(.json(.ok, Array("{\"offset\":\(p.offset)}".utf8), headers: [("Connection", "close")]))
                case .failure(let e):
                    let err = Session.error(e, id: nil)
                    done(Self.error(.forbidden, err.code, err.message))
                }
            }
        }
    }

    /// A JSON error answer.
    static func error(_ status: HTTPStatus, _ code: ErrorCode, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        .json(status, ReplyEncoder.error(id: nil, code: code, message: message), headers: headers + [("Connection", "close")])
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

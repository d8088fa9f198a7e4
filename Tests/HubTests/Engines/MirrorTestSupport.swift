import Broadcast
import Foundation
import Testing
@testable import Hub

/// Helpers of the mirroring tests: a hub with the mirror engine on, and reading its pushes.
enum MirrorHub {
    /// An identity hub (real store, tokens, `/ws/auth`) running only the mirror engine, with
    /// `open`, a namespace anyone may publish to with `mirror: true`.
    static func run<T>(_ configure: @escaping (inout HubConfig) -> Void = { _ in },
                       _ body: (IdentityHub) throws -> T) async throws -> T {
        try await IdentityHub.run({ c in
            c.engines = ["mirror"]
            c.mirrorProfileInterval = 0.4
            var n = c.namespaces.rules
            n["open"] = NamespaceRules(mirror: true)
            c.namespaces = Namespaces(n)
            configure(&c)
        }, body)
    }

    /// A `/ws/auth` client of `user` subscribed to `mirror.<user>`.
    static func watcher(_ hub: IdentityHub, user: String) throws -> AuthClient {
        let (client, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: user))
        try client.result(#"{"op":"subscribe","id":1,"topic":"mirror.\#(user)"}"#, id: 1)
        return client
    }

    /// The `data` of the next push on `topic` whose `kind` is `kind` (others are skipped).
    static func next(_ client: AuthClient, kind: String, topic: String, timeout: Double = 10) throws -> [String: Any] {
        let deadline = TestDeadline(seconds: timeout)
        while true {
            let m = try client.next(timeout: deadline.remaining)
            if m.isPublication, m.topic == topic, let data = m.json["data"] as? [String: Any], data["kind"] as? String == kind {
                return data
            }
        }
    }

    /// Every push on `topic` within `seconds`.
    static func drain(_ client: AuthClient, topic: String, seconds: Double) throws -> [[String: Any]] {
        let deadline = TestDeadline(seconds: seconds)
        var out: [[String: Any]] = []
        while deadline.remaining > 0, let m = try client.nextIfAny(timeout: deadline.remaining) {
            if m.isPublication, m.topic == topic, let data = m.json["data"] as? [String: Any] { out.append(data) }
        }
        return out
    }

    /// The mirror engine's entry of `/health/ai`.
    static func health(_ hub: IdentityHub) throws -> [String: Any] {
        let o = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/ai", port: hub.port, headers: [], body: nil))
        return try #require((o["engines"] as? [String: Any])?["mirror"] as? [String: Any])
    }

    /// `GET /api/v1/personality/{user}` with `token`.
    static func personality(_ hub: IdentityHub, _ user: String, token: String?) throws -> TestHTTPResponse {
        try OpsHTTP.requestNow("GET", "/api/v1/personality/" + user, port: hub.port,
                               headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [], body: nil)
    }
}

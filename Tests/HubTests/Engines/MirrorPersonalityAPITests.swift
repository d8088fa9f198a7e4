import Foundation
import Testing
@testable import Hub

/// `GET /api/v1/personality/{user}`: who may call it, what it answers, and its cache.
@Suite struct MirrorPersonalityAPITests {
    @Test func answersTheProfileToOperatorsOnly() async throws {
        try await MirrorHub.run { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            try alice.result(#"{"op":"publish","id":2,"topic":"chat.x","data":"This is awful, I hate it."}"#, id: 2)
            _ = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")

            let admin = try hub.createToken(user: "root", kind: .admin)
            let api = try hub.createToken(user: "svc", kind: .api)
            let user = try hub.createToken(user: "alice")
            for token in [admin, api] {
                let r = try MirrorHub.personality(hub, "alice", token: token)
                #expect(r.status == 200, "\(r.bodyText)")
                #expect(r.header("Content-Type") == "application/json")
                let o = try OpsHTTP.json(r)
                #expect((o["valence"] as? Double ?? 0) < 0, "\(o)")
                #expect(o["user"] as? String == "alice")
                #expect(o["messages"] as? Int == 1)
                #expect(o["hints"] is [String: Any])
            }
            let none = try MirrorHub.personality(hub, "alice", token: nil)
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == "Bearer")
            #expect(try MirrorHub.personality(hub, "alice", token: "not-a-token").status == 401)
            let forbidden = try MirrorHub.personality(hub, "alice", token: user)
            #expect(forbidden.status == 403)
            #expect((try OpsHTTP.json(forbidden)["error"] as? [String: Any])?["code"] as? String == "forbidden")
            let unknown = try MirrorHub.personality(hub, "nobody", token: admin)
            #expect(unknown.status == 404)
            #expect((try OpsHTTP.json(unknown)["error"] as? [String: Any])?["code"] as? String == "not_found")
            let post = try OpsHTTP.requestNow("POST", "/api/v1/personality/alice", port: hub.port,
                                              headers: [("Authorization", "Bearer \(admin)")], body: "")
            #expect(post.status == 405)
        }
    }

    @Test func answersComeThroughTheCache() async throws {
        try await MirrorHub.run({ $0.mirrorCacheTTL = 30 }) { hub in
            let alice = try MirrorHub.watcher(hub, user: "alice")
            try alice.result(#"{"op":"publish","id":2,"topic":"chat.x","data":"good morning"}"#, id: 2)
            _ = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            let admin = try hub.createToken(user: "root", kind: .admin)
            let first = try OpsHTTP.json(try MirrorHub.personality(hub, "alice", token: admin))
            // A newer message does not show while the answer is cached (ttl 30 s).
            try alice.result(#"{"op":"publish","id":3,"topic":"chat.x","data":"this is terrible"}"#, id: 3)
            _ = try MirrorHub.next(alice, kind: "feedback", topic: "mirror.alice")
            let second = try OpsHTTP.json(try MirrorHub.personality(hub, "alice", token: admin))
            #expect(first["messages"] as? Int == 1)
            #expect(second["messages"] as? Int == 1)
            let o = try OpsHTTP.json(try OpsHTTP.requestNow("GET", "/health/cache", port: hub.port, headers: [], body: nil))
            let caches = try #require(o["caches"] as? [[String: Any]])
            let cache = try #require(caches.first { $0["name"] as? String == "personality" })
            #expect(cache["hits"] as? Int == 1, "\(cache)")
            #expect(cache["entries"] as? Int == 1)
            let metrics = try OpsHTTP.requestNow("GET", "/metrics", port: hub.port, headers: [], body: nil).bodyText
            #expect(metrics.contains(#"hub_cache_hits_total{cache="personality"} 1"#), "\(metrics)")
        }
    }
}

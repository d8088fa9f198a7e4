import Foundation
import Testing
@testable import Hub

/// `/ws/admin`: admin identities only; they get `admin.metrics` snapshots without subscribing.
@Suite struct AdminStreamTests {
    /// A config with fast snapshots.
    static func fast(_ c: inout HubConfig) { c.adminInterval = 0.2 }

    @Test func nonAdminTokensAreRefused() async throws {
        try await IdentityHub.run(Self.fast) { hub in
            let user = try hub.createToken(user: "alice")
            let api = try hub.createToken(user: "svc", kind: .api)
            let jwt = try IdentityHub.jwt(sub: "alice", extra: ["admin": false])
            for token in [user, api, jwt] {
                let client = try AuthClient(port: hub.port, path: "/ws/admin", token: token)
                let (close, before) = try client.readUntilClose(timeout: 5)
                #expect(before.isEmpty, "nothing before the close: \(before)")
                #expect(close.closeCode == 4401 && close.closeReason == "not an admin token", "\(close)")
            }
            // Through the auth command, too; and a bad token gets its own reason.
            let late = try AuthClient(port: hub.port, path: "/ws/admin")
            try late.send(#"{"op":"auth","id":1,"token":\#(jsonString(user))}"#)
            try late.expectClose(reason: "not an admin token")
            try AuthClient(port: hub.port, path: "/ws/admin", token: "hub_wrong").expectClose(reason: "unknown token")
        }
    }

    @Test func adminTokensGetWelcomeThenMetricsWithoutSubscribing() async throws {
        try await IdentityHub.run(Self.fast) { hub in
            let stored = try hub.createToken(user: "root", kind: .admin)
            let jwt = try IdentityHub.jwt(sub: "ops", extra: ["admin": true])
            for (token, user) in [(stored, "root"), (jwt, "ops")] {
                let (admin, welcome) = try AuthClient.welcomed(port: hub.port, path: "/ws/admin", token: token)
                #expect(welcome.json["user"] as? String == user)
                var pushes = [try admin.next(timeout: 5)]
                let start = DispatchTime.now()
                while pushes.count < 5 { pushes.append(try admin.next(timeout: 5)) }
                let took = secondsSince(start)
                for p in pushes {
                    #expect(p.topic == "admin.metrics" && p.isPublication, "\(p)")
                    #expect(Set(p.json.keys) == ["topic", "offset", "data"], "\(p)")
                }
                let offsets = pushes.compactMap(\.offset)
                #expect(offsets == Array(offsets[0]..<(offsets[0] + 5)), "consecutive offsets: \(offsets)")
                // Four intervals of 0.2 s between the first and the fifth snapshot: about 0.8 s
                // (the default interval, 1 s, would take 4 s).
                #expect(took > 0.4 && took < 2.5, "snapshots 1 to 5 took \(took) s")
            }
        }
    }

    @Test func snapshotsHaveTheDocumentedFields() async throws {
        try await IdentityHub.run(Self.fast) { hub in
            let (admin, _) = try AuthClient.welcomed(port: hub.port, path: "/ws/admin",
                                                     token: try hub.createToken(user: "root", kind: .admin))
            // A snapshot may have been taken just before this connection's upgrade or subscription
            // registered (and published just after): read one that counts the subscription.
            let data = try admin.snapshot { ($0["subscriptions"] as? Int ?? 0) >= 1 }
            let connections = try #require(data["connections"] as? [String: Any], "\(data)")
            #expect((connections["total"] as? Int ?? 0) >= 1, "\(connections)")
            #expect((connections["ws_admin"] as? Int ?? 0) >= 1, "\(connections)")
            for key in ["messages_in_per_s", "messages_out_per_s", "publications_per_s"] {
                #expect(data[key] is NSNumber, "\(key) in \(data)")
            }
            for key in ["topics", "subscriptions", "rss_bytes", "auth_failures", "time", "uptime_s"] {
                #expect(data[key] is Int, "\(key) in \(data)")
            }
            #expect((data["rss_bytes"] as? Int ?? 0) > 1 << 20)
            let latency = try #require(data["latency_ms"] as? [String: Any], "\(data)")
            #expect(latency.keys.contains("p50") && latency.keys.contains("p99"), "\(latency)")
            let loops = try #require(data["loops"] as? [[String: Any]], "\(data)")
            #expect(loops.count == 2, "one entry per loop: \(loops)")
            for l in loops { #expect(l["index"] is Int && l["connections"] is Int && l["queue_depth"] is Int, "\(l)") }
        }
    }

    /// The numbers move: more clients raise `connections.total`, a failed token `auth_failures`,
    /// a subscription `topics` and `subscriptions`.
    @Test func numbersMove() async throws {
        try await IdentityHub.run(Self.fast) { hub in
            let (admin, _) = try AuthClient.welcomed(port: hub.port, path: "/ws/admin",
                                                     token: try hub.createToken(user: "root", kind: .admin))
            let first = try admin.snapshot()
            let total = try #require((first["connections"] as? [String: Any])?["total"] as? Int)
            let failures = try #require(first["auth_failures"] as? Int)
            let subscriptions = try #require(first["subscriptions"] as? Int)

            let clients = try (0..<3).map { _ in try V1Client(port: hub.port) }
            try clients[0].subscribe("public.moving", id: 1)
            try AuthClient(port: hub.port, token: "hub_bad").expectClose(reason: "unknown token")

            let moved = try admin.snapshot { s in
                ((s["connections"] as? [String: Any])?["total"] as? Int ?? 0) >= total + 3
                    && (s["auth_failures"] as? Int ?? 0) > failures
                    && (s["subscriptions"] as? Int ?? 0) > subscriptions
            }
            #expect((moved["connections"] as? [String: Any])?["ws"] as? Int == 3, "\(moved)")
            _ = clients
        }
    }
}

extension AuthClient {
    /// The `data` of the next `admin.metrics` push satisfying `condition` (within `timeout`).
    func snapshot(timeout: Double = 10, where condition: ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        let deadline = TestDeadline(seconds: timeout)
        var last: [String: Any]?
        while deadline.remaining > 0 {
            guard let m = try nextIfAny(timeout: deadline.remaining) else { break }
            guard m.topic == "admin.metrics", let data = m.json["data"] as? [String: Any] else { continue }
            if condition(data) { return data }
            last = data
        }
        throw V1Client.Failure.unexpected("no snapshot matched; last: \(last.map { "\($0)" } ?? "none")")
    }
}

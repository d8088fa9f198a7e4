import Foundation
import Testing
@testable import Hub

/// The health family over real sockets: status codes, JSON shapes, and the 503 cases.
@Suite struct HealthEndpointTests {
    static let statuses: Set<String> = ["ok", "degraded", "down", "not_configured"]

    /// Each path, the status it must answer on a fresh hub, and keys its body must have.
    struct Case: CustomTestStringConvertible, Sendable {
        let path: String
        let status: String
        let keys: [String]
        var testDescription: String { path }
    }

    static let cases: [Case] = [
        Case(path: "/health", status: "ok", keys: ["version", "uptime_s"]),
        Case(path: "/ready", status: "ok", keys: ["ready", "loops", "database"]),
        Case(path: "/health/websocket", status: "ok", keys: ["connections", "loops", "loops_alive", "loops_total"]),
        Case(path: "/health/database", status: "not_configured", keys: ["message"]),
        Case(path: "/health/cache", status: "not_configured", keys: ["message", "caches"]),
        Case(path: "/health/ai", status: "not_configured", keys: ["engines"]),
        Case(path: "/health/circuit-breakers", status: "not_configured", keys: ["breakers"]),
        // A starved machine may delay the periodic tasks past their grace: degraded, honestly.
        Case(path: "/health/background-tasks", status: "ok|degraded", keys: ["tasks"]),
        Case(path: "/health/comprehensive", status: "ok|degraded", keys: ["version", "uptime_s", "components"]),
    ]

    @Test(arguments: cases) func answers200WithItsShape(_ c: Case) async throws {
        try await TestServer.run { server async throws in
            let r = try await OpsHTTP.get(c.path, port: server.port)
            #expect(r.status == 200, "\(r.bodyText)")
            #expect(r.header("Content-Type") == "application/json")
            let o = try OpsHTTP.json(r)
            #expect(c.status.split(separator: "|").contains { $0 == o["status"] as? String ?? "" }, "\(r.bodyText)")
            for key in c.keys { #expect(o[key] != nil, "\(c.path) lacks \(key): \(r.bodyText)") }
        }
    }

    @Test func healthHasTheVersion() async throws {
        try await TestServer.run { server async throws in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health", port: server.port))
            #expect(o["version"] as? String == HubVersion.current)
            #expect((o["uptime_s"] as? Int).map { $0 >= 0 } == true)
        }
    }

    @Test func websocketCountsConnectionsPerEndpoint() async throws {
        try await TestServer.run { server async throws in
            let port = server.port
            let client = try await blocking { () throws -> TestWebSocketClient in
                let c = try TestWebSocketClient(port: port, path: "/ws")
                _ = try c.readMessage()  // the welcome: the session is open
                return c
            }
            defer { withExtendedLifetime(client) {} }
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/websocket", port: server.port))
            let connections = try #require(o["connections"] as? [String: Any])
            #expect(connections["ws"] as? Int == 1)
            #expect(connections["ws_auth"] as? Int == 0)
            #expect(connections["echo"] as? Int == 0)
            let loops = try #require(o["loops"] as? [[String: Any]])
            #expect(loops.count == 2)
            #expect(loops.allSatisfy { $0["state"] as? String == "running" })
            #expect(o["loops_alive"] as? Int == 2)
        }
    }

    @Test func aiListsTheThreeEngines() async throws {
        try await TestServer.run { server async throws in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/ai", port: server.port))
            let engines = try #require(o["engines"] as? [String: [String: Any]])
            #expect(Set(engines.keys) == ["dream", "mirror", "telepathy"])
            for (_, e) in engines { #expect(e["status"] as? String == "not_configured") }
        }
    }

    @Test func circuitBreakersAreAnEmptyList() async throws {
        try await TestServer.run { server async throws in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/circuit-breakers", port: server.port))
            #expect((o["breakers"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func backgroundTasksListTheAdminStreamAndTheRevocationWatch() async throws {
        try await TestServer.run({ $0.adminInterval = 0.2 }) { server async throws in
            // Let both tasks run at least once (0.2 s and 0.5 s); on a loaded machine, retry a while.
            var byName: [String: [String: Any]] = [:]
            for _ in 0..<40 {
                try await Task.sleep(nanoseconds: 250_000_000)
                let o = try OpsHTTP.json(try await OpsHTTP.get("/health/background-tasks", port: server.port))
                let tasks = try #require(o["tasks"] as? [[String: Any]])
                byName = Dictionary(tasks.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
                let watched = ["admin_stream", "revocation_watch"].compactMap { byName[$0] }
                if o["status"] as? String == "ok", watched.count == 2, watched.allSatisfy({ $0["last_run_age_s"] is Double }) { break }
            }
            let admin = try #require(byName["admin_stream"])
            let watch = try #require(byName["revocation_watch"])
            #expect(admin["interval_s"] as? Double == 0.2)
            #expect(watch["interval_s"] as? Double == 0.5)
            #expect(admin["status"] as? String == "ok")
            #expect(watch["status"] as? String == "ok")
            #expect((admin["last_run_age_s"] as? Double).map { $0 < 2 } == true, "\(admin)")
            #expect((watch["last_run_age_s"] as? Double).map { $0 < 2 } == true, "\(watch)")
            #expect((watch["runs"] as? Int).map { $0 >= 1 } == true)
            #expect((admin["runs"] as? Int).map { $0 >= 1 } == true)
            #expect(byName["history_ttl_sweep"]?["interval_s"] as? Double == 10)
            #expect(byName["cache_eviction"]?["interval_s"] as? Double == 10)
        }
    }

    @Test func comprehensiveHoldsEveryPart() async throws {
        try await TestServer.run { server async throws in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/comprehensive", port: server.port))
            let parts = try #require(o["components"] as? [String: [String: Any]])
            #expect(Set(parts.keys) == ["websocket", "database", "cache", "ai", "circuit_breakers", "background_tasks", "ready"])
            for (name, p) in parts { #expect(Self.statuses.contains(p["status"] as? String ?? ""), "\(name)") }
        }
    }

    @Test func downStoreMakesReadyAndDatabaseAndComprehensive503() async throws {
        let down = ClosureHealthCheck { HealthCheckResult(status: .down, message: "read-only file system") }
        try await TestServer.run(verifier: RefusingTokenVerifier(), database: down) { server async throws in
            let ready = try await OpsHTTP.get("/ready", port: server.port)
            #expect(ready.status == 503)
            let o = try OpsHTTP.json(ready)
            #expect(o["status"] as? String == "down")
            #expect(o["ready"] as? Bool == false)
            #expect((o["reason"] as? String)?.contains("read-only file system") == true, "\(ready.bodyText)")
            let db = try await OpsHTTP.get("/health/database", port: server.port)
            #expect(db.status == 503)
            #expect(try OpsHTTP.json(db)["message"] as? String == "read-only file system")
            let all = try await OpsHTTP.get("/health/comprehensive", port: server.port)
            #expect(all.status == 503)
            #expect(try OpsHTTP.json(all)["status"] as? String == "down")
            // Liveness does not depend on the store.
            #expect(try await OpsHTTP.get("/health", port: server.port).status == 200)
        }
    }

    @Test func writableStoreIsReported() async throws {
        let ok = ClosureHealthCheck { HealthCheckResult(status: .ok, details: ["path": "data/hub.sqlite"]) }
        try await TestServer.run(verifier: RefusingTokenVerifier(), database: ok) { server async throws in
            let db = try OpsHTTP.json(try await OpsHTTP.get("/health/database", port: server.port))
            #expect(db["status"] as? String == "ok")
            #expect((db["details"] as? [String: String])?["path"] == "data/hub.sqlite")
            #expect(db["check_ms"] is Double || db["check_ms"] is Int)
            let ready = try OpsHTTP.json(try await OpsHTTP.get("/ready", port: server.port))
            #expect(ready["database"] as? String == "ok")
            #expect(ready["ready"] as? Bool == true)
        }
    }

    @Test func degradedStoreIsStillReady() async throws {
        let slow = ClosureHealthCheck { HealthCheckResult(status: .degraded, message: "slow fsync") }
        try await TestServer.run(verifier: RefusingTokenVerifier(), database: slow) { server async throws in
            let db = try await OpsHTTP.get("/health/database", port: server.port)
            #expect(db.status == 200)
            #expect(try OpsHTTP.json(db)["status"] as? String == "degraded")
            #expect(try await OpsHTTP.get("/ready", port: server.port).status == 200)
            #expect(try OpsHTTP.json(try await OpsHTTP.get("/health/comprehensive", port: server.port))["status"] as? String == "degraded")
        }
    }

    /// A loop whose thread is not running: not ready (503), the websocket part degraded.
    @Test func stoppedLoopMakesReady503() async throws {
        try await TestServer.run { server async throws in
            // The loop threads mark themselves running as they start: wait for that first.
            let started = try await blocking { TestDeadline.waitUntil(timeout: 5) { server.status.loopStates == [.running, .running] } }
            try #require(started)
            server.status.setLoop(1, .stopped)
            defer { server.status.setLoop(1, .running) }
            let ready = try await OpsHTTP.get("/ready", port: server.port)
            #expect(ready.status == 503, "\(ready.bodyText)")
            let o = try OpsHTTP.json(ready)
            #expect((o["loops"] as? [String: Int])?["running"] == 1)
            let ws = try await OpsHTTP.get("/health/websocket", port: server.port)
            #expect(ws.status == 200)
            let w = try OpsHTTP.json(ws)
            #expect(w["status"] as? String == "degraded")
            let states = (w["loops"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states == ["running", "stopped"])
        }
    }

    @Test func headHasNoBodyAndPostIsRefused() async throws {
        try await TestServer.run { server async throws in
            let head = try await OpsHTTP.request("HEAD", "/ready", port: server.port)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(Int(head.header("Content-Length") ?? "") ?? 0 > 0)
            let post = try await OpsHTTP.request("POST", "/health/ai", port: server.port, body: "{}")
            #expect(post.status == 405)
        }
    }

    @Test func worstOfStatuses() {
        #expect(HealthStatus.worst([]) == .ok)
        #expect(HealthStatus.worst([.notConfigured, .notConfigured]) == .ok)
        #expect(HealthStatus.worst([.ok, .notConfigured, .degraded]) == .degraded)
        #expect(HealthStatus.worst([.degraded, .down, .ok]) == .down)
    }
}

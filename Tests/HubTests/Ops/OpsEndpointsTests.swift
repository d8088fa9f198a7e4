import Foundation
import Synchronization
import Testing
@testable import Hub

/// The operations parts through a real server: `/health/background-tasks`,
/// `/health/circuit-breakers`, `/health/cache`, their `/metrics` families, and revocation
/// through the cached verifier closing live connections.
@Suite struct OpsEndpointsTests {
    /// A server wired like the daemon: a store in a fresh directory, the store verifier, its
    /// breaker and cache registered.
    static func withStoreServer<T>(_ configure: (inout HubConfig) -> Void = { _ in },
                                   _ body: (Server, Store, TestDirectory, StoreTokenVerifier) async throws -> T) async throws -> T {
        let dir = TestDirectory()
        let path = dir.path
        let store = try await blocking { try Store.open(dataDir: path) }
        let verifier = StoreTokenVerifier(store: store, jwtSecret: nil, leeway: 0)
        let breakers = CircuitBreakerRegistry()
        breakers.register(verifier.breaker)
        let caches = CacheRegistry()
        caches.register(verifier.cache)
        var c = TestServer.config()
        configure(&c)
        let server = try Server(config: c, logger: Logger(level: .error, sink: MemoryLogSink()), verifier: verifier,
                                database: StoreHealthCheck(store: store), store: store, breakers: breakers, caches: caches)
        server.start()
        do {
            let result = try await body(server, store, dir, verifier)
            _ = try await blocking { server.shutdown() }
            return result
        } catch {
            _ = try? await blocking { server.shutdown() }
            throw error
        }
    }

    /// `/metrics` samples by `name{labels}`.
    static func samples(port: Int) async throws -> [String: Double] {
        let text = try await OpsHTTP.get("/metrics", port: port).bodyText
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    static func tasks(_ o: [String: Any]) throws -> [String: [String: Any]] {
        let list = try #require(o["tasks"] as? [[String: Any]])
        return Dictionary(list.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func backgroundTasksListEveryScheduledTask() async throws {
        try await Self.withStoreServer { server, _, _, _ in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/background-tasks", port: server.port))
            let tasks = try Self.tasks(o)
            #expect(Set(tasks.keys) == ["admin_stream", "revocation_watch", "history_ttl_sweep", "sqlite_wal_checkpoint",
                                        "idle_connection_reaper", "cache_eviction"])
            #expect(tasks["history_ttl_sweep"]?["interval_s"] as? Double == 10)
            #expect(tasks["sqlite_wal_checkpoint"]?["interval_s"] as? Double == 60)
            #expect(tasks["cache_eviction"]?["interval_s"] as? Double == 10)
            #expect(tasks["admin_stream"]?["interval_s"] as? Double == 1)
            for (name, t) in tasks {
                for key in ["status", "last_run_age_s", "last_duration_s", "runs", "failures", "skipped", "last_error",
                            "running", "overdue", "last_run_failed", "last_run_unix_ms"] {
                    #expect(t[key] != nil, "\(name) lacks \(key)")
                }
            }
        }
        // Without a store there is no checkpoint task.
        try await TestServer.run { server async throws in
            let tasks = try Self.tasks(try OpsHTTP.json(try await OpsHTTP.get("/health/background-tasks", port: server.port)))
            #expect(Set(tasks.keys) == ["admin_stream", "revocation_watch", "history_ttl_sweep", "idle_connection_reaper",
                                        "cache_eviction"])
        }
    }

    @Test func aFailingTaskDegradesBackgroundTasksWithItsError() async throws {
        try await TestServer.run { server async throws in
            server.scheduler.add("broken", every: 0.05) { throw TestFailure("disk on fire") }
            var broken: [String: Any] = [:]
            var status = ""
            for _ in 0..<100 {
                let o = try OpsHTTP.json(try await OpsHTTP.get("/health/background-tasks", port: server.port))
                broken = try Self.tasks(o)["broken"] ?? [:]
                status = o["status"] as? String ?? ""
                if (broken["runs"] as? Int ?? 0) >= 2 { break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(status == "degraded")
            #expect(broken["status"] as? String == "degraded")
            #expect(broken["last_error"] as? String == "disk on fire")
            #expect(broken["last_run_failed"] as? Bool == true)
            #expect((broken["failures"] as? Int ?? 0) >= 2)
            let all = try OpsHTTP.json(try await OpsHTTP.get("/health/comprehensive", port: server.port))
            #expect(all["status"] as? String == "degraded")
        }
    }

    @Test func theHistorySweepAndTheCheckpointRun() async throws {
        try await Self.withStoreServer { server, _, _, _ in
            // Run them now rather than waiting 10 s and 60 s: the bodies are what the test checks.
            server.scheduler.task(named: "history_ttl_sweep")?.tick()
            server.scheduler.task(named: "sqlite_wal_checkpoint")?.tick()
            server.scheduler.task(named: "cache_eviction")?.tick()
            for name in ["history_ttl_sweep", "sqlite_wal_checkpoint", "cache_eviction"] {
                try #require(try await TaskSchedulerTests.eventually { server.scheduler.task(named: name)!.snapshot().runs == 1 },
                             "\(name) did not run")
                let s = server.scheduler.task(named: name)!.snapshot()
                #expect(!s.lastRunFailed, "\(name): \(s.lastError ?? "")")
            }
        }
    }

    @Test func checkpointCopiesTheWALIntoTheDatabase() async throws {
        let dir = TestDirectory()
        let path = dir.path
        let store = try await blocking { try Store.open(dataDir: path) }
        for i in 0..<5 { _ = try await store.createToken(user: "u\(i)", kind: .user) }
        let r = try await store.checkpointWAL()
        #expect(!r.busy)
        #expect(r.logFrames > 0 && r.checkpointed == r.logFrames, "\(r)")
    }

    @Test func circuitBreakersListTheStoreBreakerAndMetricsExportIt() async throws {
        try await Self.withStoreServer { server, _, _, _ in
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/circuit-breakers", port: server.port))
            #expect(o["status"] as? String == "ok")
            let list = try #require(o["breakers"] as? [[String: Any]])
            #expect(list.count == 1)
            let b = try #require(list.first)
            #expect(b["name"] as? String == "sqlite" && b["state"] as? String == "closed")
            #expect(b["failure_threshold"] as? Int == 5)
            for key in ["successes", "failures", "rejections", "opens", "timeouts", "last_error", "since_transition_s"] {
                #expect(b[key] != nil, "lacks \(key)")
            }
            let m = try await Self.samples(port: server.port)
            #expect(m["hub_circuit_breaker_state{name=\"sqlite\"}"] == 0)
            #expect(m["hub_circuit_breaker_rejections_total{name=\"sqlite\"}"] == 0)
            #expect(m["hub_circuit_breaker_failures_total{name=\"sqlite\"}"] == 0)
        }
    }

    @Test func anOpenBreakerDegradesTheEndpointAndShowsInMetrics() async throws {
        let breakers = CircuitBreakerRegistry()
        let dead = breakers.make(.init(name: "upstream", failureThreshold: 1, openInterval: 60))
        let fine = breakers.make(.init(name: "fine"))
        _ = try? await dead.call { () async throws -> Int in throw TestFailure("connection refused") }
        _ = try? await dead.call { 1 }  // refused
        _ = try await fine.call { 1 }
        var c = TestServer.config()
        c.loops = 1
        let server = try Server(config: c, logger: Logger(level: .error, sink: MemoryLogSink()), breakers: breakers)
        server.start()
        do {
            try await Self.checkOpenBreaker(port: server.port)
            _ = try await blocking { server.shutdown() }
        } catch {
            _ = try? await blocking { server.shutdown() }
            throw error
        }
    }

    static func checkOpenBreaker(port: Int) async throws {
        let r = try await OpsHTTP.get("/health/circuit-breakers", port: port)
        #expect(r.status == 200)
        let o = try OpsHTTP.json(r)
        #expect(o["status"] as? String == "degraded")
        let list = try #require(o["breakers"] as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == ["upstream", "fine"])
        #expect(list[0]["state"] as? String == "open")
        #expect(list[0]["last_error"] as? String == "connection refused")
        #expect(list[0]["rejections"] as? Int == 1 && list[0]["opens"] as? Int == 1)
        #expect((list[0]["retry_after_s"] as? Double ?? 0) > 50)
        let m = try await Self.samples(port: port)
        #expect(m["hub_circuit_breaker_state{name=\"upstream\"}"] == 2)
        #expect(m["hub_circuit_breaker_state{name=\"fine\"}"] == 0)
        #expect(m["hub_circuit_breaker_rejections_total{name=\"upstream\"}"] == 1)
        #expect(m["hub_circuit_breaker_failures_total{name=\"upstream\"}"] == 1)
    }

    /// Two sessions with one token (the second is a cache hit), a revocation from another
    /// connection to the file (as `hub token revoke` does): both close with 4401 within about a
    /// second, and a new connection with the token is refused.
    @Test func aRevocationStillClosesLiveConnectionsThroughTheCache() async throws {
        try await Self.withStoreServer { server, store, dir, verifier in
            let (info, secret) = try await store.createToken(user: "mallory", kind: .user)
            let port = server.port, path = dir.path
            let (hits, polled, revoked, closes, elapsed, refused) = try await blocking {
                () throws -> (Int, Bool, Int, [TestFrame], Double, TestFrame) in
                let a = try TestWebSocketClient(port: port, path: "/ws/auth?token=" + secret)
                _ = try a.readMessage(timeout: 10)  // welcome
                let b = try TestWebSocketClient(port: port, path: "/ws/auth?token=" + secret)
                _ = try b.readMessage(timeout: 10)
                let hits = verifier.cache.stats().hits
                // The watch has polled at least once (it needs a baseline stamp).
                let polled = TestDeadline.waitUntil(timeout: 10) {
                    server.scheduler.task(named: "revocation_watch")!.snapshot().runs >= 1
                }
                let started = TestDeadline.now()
                let revoked = try TokenStore.open(dataDir: path).revoke(secretOrID: info.id)
                let closes = try [a, b].map { try $0.readMessage(timeout: 10) }
                let elapsed = TestDeadline.now() - started
                let c = try TestWebSocketClient(port: port, path: "/ws/auth?token=" + secret)
                return (hits, polled, revoked, closes, elapsed, try c.readMessage(timeout: 10))
            }
            #expect(hits >= 1, "the second session was not a cache hit")
            #expect(polled && revoked == 1)
            for close in closes + [refused] {
                #expect(close.closeCode == 4401 && close.closeReason == "token revoked", "\(close)")
            }
            // 0.5 s polls; allow for a loaded machine.
            #expect(elapsed < 3, "the revocation took \(elapsed) s")
        }
    }

    @Test func cacheReportsTheVerifierCacheAndMetricsExportIt() async throws {
        try await Self.withStoreServer { server, store, _, _ in
            let (_, secret) = try await store.createToken(user: "trent", kind: .user)
            let port = server.port
            // Past the revocation watch's first poll (0.5 s after the start), which empties the
            // verifier's cache once: the counts below are then exactly one miss and two hits.
            try await Task.sleep(for: .milliseconds(900))
            for _ in 0..<3 {
                _ = try await blocking { () throws -> Void in
                    let c = try TestWebSocketClient(port: port, path: "/ws/auth?token=" + secret)
                    _ = try c.readMessage(timeout: 10)
                }
            }
            let o = try OpsHTTP.json(try await OpsHTTP.get("/health/cache", port: port))
            #expect(o["status"] as? String == "ok")
            let caches = try #require(o["caches"] as? [[String: Any]])
            let c = try #require(caches.first)
            #expect(caches.count == 1)
            #expect(c["name"] as? String == "token_verification")
            #expect(c["entries"] as? Int == 1)
            #expect(c["budget_bytes"] as? Int == 1 << 20)
            #expect(c["hits"] as? Int == 2 && c["misses"] as? Int == 1, "\(c)")
            #expect((c["bytes"] as? Int ?? 0) > 0)
            #expect(c["evictions"] as? Int == 0)
            #expect(abs((c["hit_ratio"] as? Double ?? 0) - 0.6667) < 0.0001)
            let m = try await Self.samples(port: port)
            #expect(m["hub_cache_hits_total{cache=\"token_verification\"}"] == 2)
            #expect(m["hub_cache_misses_total{cache=\"token_verification\"}"] == 1)
            #expect(m["hub_cache_evictions_total{cache=\"token_verification\"}"] == 0)
            #expect((m["hub_cache_bytes{cache=\"token_verification\"}"] ?? 0) > 0)
        }
    }

    /// The new families through prometheus_client's parser (the venv of tools/requirements.txt).
    @Test func prometheusClientParsesTheNewFamilies() async throws {
        let python = MetricsEndpointTests.packageRoot.appendingPathComponent(".venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "no venv: run `make venv`")
        let clock = ManualClock()
        let b = CircuitBreaker(name: "sqlite", failureThreshold: 1, clock: clock.now)
        _ = try? await b.call { () async throws -> Int in throw TestFailure() }
        let cache = LRUCache<String, Int>(name: "token_verification", budgetBytes: 10, ttl: 5, clock: clock.now)
        cache.put("a", 1, cost: 6)
        cache.put("b", 2, cost: 6)
        _ = cache.get("b")
        _ = cache.get("a")
        let body = MetricsExposition.render(ServerMetrics(), residentBytes: 1, breakers: [b.snapshot()], caches: [cache.stats()])
        let (status, err, families, samples) = try await blocking { try MetricsEndpointTests.parseWithPrometheusClient(body, python: python) }
        try #require(status == 0, "prometheus_client could not parse /metrics: \(err)")
        let expected: [String: String] = [
            "hub_circuit_breaker_state": "gauge", "hub_circuit_breaker_rejections": "counter",
            "hub_circuit_breaker_failures": "counter", "hub_circuit_breaker_opens": "counter",
            "hub_cache_hits": "counter", "hub_cache_misses": "counter", "hub_cache_evictions": "counter",
            "hub_cache_expirations": "counter", "hub_cache_bytes": "gauge", "hub_cache_entries": "gauge",
        ]
        for (name, type) in expected { #expect(families[name] == type, "\(name): \(families[name] ?? "missing")") }
        #expect(samples["hub_circuit_breaker_state{name=sqlite}"] == 2)
        #expect(samples["hub_circuit_breaker_failures_total{name=sqlite}"] == 1)
        #expect(samples["hub_cache_hits_total{cache=token_verification}"] == 1)
        #expect(samples["hub_cache_misses_total{cache=token_verification}"] == 1)
        #expect(samples["hub_cache_evictions_total{cache=token_verification}"] == 1)
        #expect(samples["hub_cache_bytes{cache=token_verification}"] == 6)
    }
}

/// The idle-connection reaper: the backstop for a deadline whose timer was lost.
@Suite struct IdleReaperTests {
    @Test func aConnectionWhoseTimerWasLostIsClosedByTheReaper() async throws {
        try await TestServer.runOnThread({ c in
            c.loops = 1
            c.idleTimeout = 0.5
            c.pingInterval = 30
        }) { server in
            let client = try V1Client(port: server.port)
            let id = try #require(UInt64(client.clientID.dropFirst(2), radix: 36))
            let loop = server.loops[0]
            // Lose the connection's timer: the wheel's entry no longer matches its generation.
            let lost = DispatchSemaphore(value: 0)
            loop.post(.run { l in
                l.connection(id: id)?.timerGeneration &+= 1
                lost.signal()
            })
            lost.wait()
            // Past the idle timeout nothing closes it: the timer is gone.
            #expect(try client.ws.readFrameIfAny(timeout: 1.0) == nil, "without its timer the connection stays open")
            // Not overdue by the reaper's grace yet: the sweep leaves it alone.
            let counts = Mutex<[Int]>([])
            let swept = DispatchSemaphore(value: 0)
            loop.post(.run { l in
                counts.withLock { $0.append(l.reapOverdue(graceMs: 60_000)) }
                counts.withLock { $0.append(l.reapOverdue(graceMs: 0)) }
                swept.signal()
            })
            swept.wait()
            #expect(counts.withLock { $0 } == [0, 1])
            let (close, _) = try client.readUntilClose(timeout: 3)
            #expect(close.closeCode == 1001, "closed at the idle deadline the timer missed")
            #expect(server.metrics.reaped.load(ordering: .relaxed) == 1)
            #expect(server.metrics.idleTimeouts.load(ordering: .relaxed) == 1)
        }
    }
}

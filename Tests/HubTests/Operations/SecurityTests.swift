import Foundation
import Synchronization
import Testing
import WSProtocol
@testable import Hub

/// The Origin allowlist of the browser endpoints and the per-IP limit on failed token checks.
@Suite struct OriginPolicyTests {
    @Test func sameHostByDefault() {
        let p = OriginPolicy(allowed: [])
        #expect(p.allows(origin: nil, host: "hub.example:8080"))
        #expect(p.allows(origin: "http://hub.example:8080", host: "hub.example:8080"))
        #expect(p.allows(origin: "HTTPS://Hub.Example", host: "hub.example:443"))
        #expect(p.allows(origin: "https://hub.example:443", host: "hub.example"))
        #expect(!p.allows(origin: "http://evil.example:8080", host: "hub.example:8080"))
        #expect(!p.allows(origin: "http://hub.example:9090", host: "hub.example:8080"))
        #expect(!p.allows(origin: "null", host: "hub.example"))
        #expect(!p.allows(origin: "http://hub.example", host: nil))
    }

    @Test func listedOrigins() {
        let p = OriginPolicy(allowed: ["https://app.example.com/", "chat.example:8443"])
        #expect(p.allows(origin: "https://app.example.com", host: "hub"))
        #expect(!p.allows(origin: "http://app.example.com", host: "hub"))
        #expect(p.allows(origin: "https://chat.example:8443", host: "hub"))
        #expect(!p.allows(origin: "https://chat.example", host: "hub"))
        #expect(!p.allows(origin: "http://hub", host: "hub"), "a list replaces the same-host default")
        #expect(p.allows(origin: nil, host: "hub"))
        #expect(OriginPolicy(allowed: ["*"]).allows(origin: "https://anything.example", host: "hub"))
    }

    @Test func upgradesAreCheckedBeforeTheHandshake() async throws {
        try await TestServer.run({ $0.allowedOrigins = ["https://app.example.com"] }) { server async throws in
            let p = server.port
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p, headers: [("Origin", "https://app.example.com")]) == 101)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p, headers: [("Origin", "https://evil.example")]) == 403)
            #expect(try await OpsHTTP.upgradeStatus("/ws/auth", port: p, headers: [("Origin", "https://evil.example")]) == 403)
            #expect(try await OpsHTTP.upgradeStatus("/ws/admin", port: p, headers: [("Origin", "https://evil.example")]) == 403)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p) == 101, "no Origin: not a browser")
            // /echo is the conformance endpoint, not a browser one.
            #expect(try await OpsHTTP.upgradeStatus("/echo", port: p, headers: [("Origin", "https://evil.example")]) == 101)
        }
    }

    @Test func sameHostDefaultOverTheWire() async throws {
        try await TestServer.run { server async throws in
            let p = server.port
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p, headers: [("Origin", "http://127.0.0.1:\(p)")]) == 101)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p, headers: [("Origin", "http://localhost:\(p)")]) == 403)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p, headers: [("Origin", "http://hub.test")], host: "hub.test") == 101)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p) == 101)
        }
    }
}

@Suite struct FailureLimiterTests {
    final class FakeClock: Sendable {
        let ms = Atomic<UInt64>(1_000)
        func advance(_ d: UInt64) { ms.add(d, ordering: .relaxed) }
    }

    @Test func blocksAtTheLimitForTheRestOfTheWindow() {
        let clock = FakeClock()
        let l = FailureLimiter(limit: 3, clock: { clock.ms.load(ordering: .relaxed) })
        #expect(!l.recordFailure(from: "10.0.0.1:5000"))
        #expect(!l.recordFailure(from: "10.0.0.1:5001"))
        #expect(!l.isBlocked("10.0.0.1:6000"))
        #expect(l.recordFailure(from: "10.0.0.1:5002"))
        #expect(l.isBlocked("10.0.0.1:7000"), "the port does not matter")
        #expect(!l.isBlocked("10.0.0.2:7000"))
        #expect(l.retryAfterSeconds("10.0.0.1:1") == 60)
        clock.advance(59_000)
        #expect(l.isBlocked("10.0.0.1:1"))
        #expect(l.retryAfterSeconds("10.0.0.1:1") == 1)
        clock.advance(1_000)
        #expect(!l.isBlocked("10.0.0.1:1"), "a new minute")
        #expect(!l.recordFailure(from: "10.0.0.1:1"))
    }

    @Test func zeroDisables() {
        let l = FailureLimiter(limit: 0)
        for _ in 0..<100 { #expect(!l.recordFailure(from: "10.0.0.1:1")) }
        #expect(!l.isBlocked("10.0.0.1:1"))
        #expect(l.trackedCount == 0)
    }

    @Test func tableIsBounded() {
        let clock = FakeClock()
        let l = FailureLimiter(limit: 2, capacity: 100, clock: { clock.ms.load(ordering: .relaxed) })
        for i in 0..<1000 {
            l.recordFailure(from: "10.0.\(i / 256).\(i % 256):1")
            clock.advance(1)
        }
        #expect(l.trackedCount <= 100)
        // The newest addresses are still tracked.
        l.recordFailure(from: "10.0.3.231:1")
        #expect(l.isBlocked("10.0.3.231:2"))
    }

    @Test func hostOfAddresses() {
        #expect(FailureLimiter.host(of: "127.0.0.1:443") == "127.0.0.1")
        #expect(FailureLimiter.host(of: "[::1]:8080") == "::1")
        #expect(FailureLimiter.host(of: "::1") == "::1")
        #expect(FailureLimiter.host(of: "10.1.2.3") == "10.1.2.3")
    }

    /// Over the wire: failed API calls from 127.0.0.1 block its API calls and its /ws/auth and
    /// /ws/admin upgrades with 429; anonymous /ws and /health stay open.
    @Test func failedAPICallsLeadTo429() async throws {
        try await TestServer.run(verifier: FixedTokenVerifier(), database: nil, { $0.authFailuresPerMinute = 3 }) { server async throws in
            let p = server.port
            for _ in 0..<3 { #expect(try await OpsHTTP.get("/api/v1/topics", port: p, token: "wrong").status == 401) }
            let blocked = try await OpsHTTP.get("/api/v1/topics", port: p, token: FixedTokenVerifier.admin)
            #expect(blocked.status == 429)
            #expect(blocked.header("Retry-After").flatMap(Int.init).map { (1...60).contains($0) } == true)
            #expect((try OpsHTTP.json(blocked)["error"] as? [String: Any])?["code"] as? String == "rate_limited")
            #expect(try await OpsHTTP.upgradeStatus("/ws/auth", port: p) == 429)
            #expect(try await OpsHTTP.upgradeStatus("/ws/admin", port: p) == 429)
            #expect(try await OpsHTTP.upgradeStatus("/ws", port: p) == 101)
            #expect(try await OpsHTTP.get("/health", port: p).status == 200)
        }
    }

    /// What a session does on a failed token (the call `Session.verified` makes) blocks upgrades.
    @Test func sessionFailuresRecordedOnTheRouterBlockUpgrades() async throws {
        try await TestServer.run({ $0.authFailuresPerMinute = 2 }) { server async throws in
            let p = server.port
            #expect(try await OpsHTTP.upgradeStatus("/ws/auth", port: p) == 101)
            server.authFailures.recordFailure(from: "127.0.0.1:1")
            server.authFailures.recordFailure(from: "127.0.0.1:2")
            #expect(try await OpsHTTP.upgradeStatus("/ws/auth", port: p) == 429)
        }
    }
}

@Suite struct TokenHygieneTests {
    /// A request head's log form keeps the path but never the query (`?token=`) or header values.
    @Test func requestHeadDescriptionHidesTheQuery() {
        let head = HTTPRequestHead(method: "GET", target: "/ws/auth?token=s3cret-value",
                                   headers: [("Authorization", "Bearer other-s3cret")])
        #expect(!head.description.contains("s3cret"))
        #expect(head.description.contains("/ws/auth"))
    }

    /// A malformed api_keys list in the config file is reported without its values.
    @Test func configErrorsDoNotEchoAPIKeys() throws {
        let file = Array(#"{"api_keys": ["very-secret-key", 42]}"#.utf8)
        do {
            _ = try ConfigLoader.load(arguments: ["--config", "x.json"], environment: [:], readFile: { _ in file })
            Issue.record("the file should be refused")
        } catch {
            #expect(!"\(error)".contains("very-secret-key"), "\(error)")
            #expect("\(error)".contains("api_keys"))
        }
    }
}

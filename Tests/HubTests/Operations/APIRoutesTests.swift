import Broadcast
import Foundation
import Testing
@testable import Hub

/// `/api/v1/*` with tokens from a test verifier and keys from the config.
@Suite struct APIRoutesTests {
    /// Who calls, and the status every endpoint must answer them.
    struct Caller: CustomTestStringConvertible, Sendable {
        let name: String
        let token: String?
        let status: Int
        var testDescription: String { name }
    }

    static let callers: [Caller] = [
        Caller(name: "admin token", token: FixedTokenVerifier.admin, status: 200),
        Caller(name: "API token", token: FixedTokenVerifier.api, status: 200),
        Caller(name: "config api key", token: "config-key-1", status: 200),
        Caller(name: "user token", token: FixedTokenVerifier.user, status: 403),
        Caller(name: "no token", token: nil, status: 401),
        Caller(name: "bad token", token: "nope-not-a-token", status: 401),
    ]

    static func run(_ configure: (inout HubConfig) -> Void = { _ in }, _ body: (Server) async throws -> Void) async throws {
        try await TestServer.run(verifier: FixedTokenVerifier(), database: nil, { c in
            c.apiKeys = ["config-key-1"]
            c.namespaces = Namespaces(["public": NamespaceRules(), "quiet": NamespaceRules(presence: false)])
            configure(&c)
        }, body)
    }

    static func publish(_ port: Int, token: String?, body: String) async throws -> TestHTTPResponse {
        try await OpsHTTP.request("POST", "/api/v1/publish", port: port,
                            headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [], body: body)
    }

    @Test(arguments: callers) func everyEndpointChecksTheCaller(_ caller: Caller) async throws {
        try await Self.run { server async throws in
            let p = server.port
            let answers = [
                try await Self.publish(p, token: caller.token, body: #"{"topic":"public.a","data":{"n":1}}"#),
                try await OpsHTTP.get("/api/v1/topics", port: p, token: caller.token),
                try await OpsHTTP.get("/api/v1/presence/public.a", port: p, token: caller.token),
                try await OpsHTTP.get("/api/v1/history/public.a?limit=5", port: p, token: caller.token),
            ]
            for r in answers {
                #expect(r.status == caller.status, "\(r.statusLine) \(r.bodyText)")
                #expect(r.header("Content-Type") == "application/json")
                let o = try OpsHTTP.json(r)
                switch caller.status {
                case 401:
                    #expect((o["error"] as? [String: Any])?["code"] as? String == "unauthorized")
                    #expect(r.header("WWW-Authenticate") == "Bearer")
                case 403: #expect((o["error"] as? [String: Any])?["code"] as? String == "forbidden")
                default: #expect(o["error"] == nil, "\(r.bodyText)")
                }
                // The token is never echoed.
                if let t = caller.token { #expect(!r.bodyText.contains(t)) }
            }
        }
    }

    @Test func historyAndTopicsAndPresenceHaveTheirShapes() async throws {
        try await Self.run { server async throws in
            let p = server.port
            let watcher = try await blocking { () throws -> TestWebSocketClient in
                let w = try TestWebSocketClient(port: p, path: "/ws")
                _ = try w.readMessage()
                try w.sendText(#"{"op":"subscribe","topic":"public.room","id":1}"#)
                _ = try w.readMessage(timeout: 10)
                return w
            }
            defer { withExtendedLifetime(watcher) {} }
            for n in 1...3 {
                let r = try await Self.publish(p, token: FixedTokenVerifier.api, body: #"{"topic":"public.room","data":{"n":\#(n)}}"#)
                #expect(r.status == 200)
                #expect(try OpsHTTP.json(r)["offset"] as? Int == n)
            }
            let h = try OpsHTTP.json(try await OpsHTTP.get("/api/v1/history/public.room?limit=2", port: p, token: FixedTokenVerifier.admin))
            #expect(h["epoch"] is String)
            #expect(h["offset"] as? Int == 3)
            let pubs = try #require(h["publications"] as? [[String: Any]])
            #expect(pubs.map { $0["offset"] as? Int } == [2, 3])
            #expect(pubs.allSatisfy { $0["topic"] as? String == "public.room" })
            #expect((pubs.last?["data"] as? [String: Int])?["n"] == 3)
            let all = try OpsHTTP.json(try await OpsHTTP.get("/api/v1/history/public.room", port: p, token: FixedTokenVerifier.admin))
            #expect((all["publications"] as? [Any])?.count == 3)

            let t = try OpsHTTP.json(try await OpsHTTP.get("/api/v1/topics", port: p, token: FixedTokenVerifier.api))
            let topics = try #require(t["topics"] as? [[String: Any]])
            let room = topics.first { $0["topic"] as? String == "public.room" }
            #expect(room?["subscribers"] as? Int == 1)
            #expect(t["count"] as? Int == topics.count)

            let pr = try OpsHTTP.json(try await OpsHTTP.get("/api/v1/presence/public.room", port: p, token: FixedTokenVerifier.api))
            #expect(pr["count"] as? Int == 1)
            let clients = try #require(pr["clients"] as? [[String: Any]])
            #expect((clients.first?["client"] as? String)?.hasPrefix("c-") == true)
            #expect(clients.first?["user"] is NSNull)
        }
    }

    @Test func badInputAndRulesAnswerJSONErrors() async throws {
        try await Self.run { server async throws in
            let p = server.port, admin = FixedTokenVerifier.admin
            func code(_ r: TestHTTPResponse) throws -> String? { (try OpsHTTP.json(r)["error"] as? [String: Any])?["code"] as? String }
            let badTopic = try await OpsHTTP.get("/api/v1/history/bad%20topic", port: p, token: admin)
            #expect(badTopic.status == 400)
            #expect(try code(badTopic) == "bad_request")
            #expect(try await OpsHTTP.get("/api/v1/presence/no/slash", port: p, token: admin).status == 400)
            #expect(try await Self.publish(p, token: admin, body: #"{"topic":"bad topic","data":1}"#).status == 400)
            #expect(try await Self.publish(p, token: admin, body: "not json").status == 400)
            #expect(try await OpsHTTP.get("/api/v1/history/public.a?limit=0", port: p, token: admin).status == 400)
            #expect(try await OpsHTTP.get("/api/v1/history/public.a?limit=x", port: p, token: admin).status == 400)
            // Escaped characters of a valid name are decoded.
            #expect(try await OpsHTTP.get("/api/v1/history/public.a%40b", port: p, token: admin).status == 200)
            let presenceOff = try await OpsHTTP.get("/api/v1/presence/quiet.x", port: p, token: admin)
            #expect(presenceOff.status == 403)
            #expect(try code(presenceOff) == "forbidden")
            #expect(try await OpsHTTP.get("/api/v1/presence/nowhere.x", port: p, token: admin).status == 403)
            #expect(try await OpsHTTP.get("/api/v1/history/nowhere.x", port: p, token: admin).status == 403)
            let missing = try await OpsHTTP.get("/api/v1/nothing", port: p, token: admin)
            #expect(missing.status == 404)
            #expect(try code(missing) == "not_found")
            let wrongMethod = try await OpsHTTP.request("POST", "/api/v1/topics", port: p, headers: [("Authorization", "Bearer \(admin)")], body: "{}")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET")
        }
    }

    /// A token restricted to topic patterns reaches only those.
    @Test func topicRestrictedTokenIsHeldToItsTopics() async throws {
        var verifier = FixedTokenVerifier()
        verifier.tokens["narrow"] = AuthIdentity(user: "svc", isAdmin: false, isAPI: true, topics: ["public.ok*"])
        try await TestServer.run(verifier: verifier) { server async throws in
            let p = server.port
            #expect(try await Self.publish(p, token: "narrow", body: #"{"topic":"public.ok1","data":1}"#).status == 200)
            #expect(try await Self.publish(p, token: "narrow", body: #"{"topic":"public.other","data":1}"#).status == 403)
            #expect(try await Self.publish(p, token: FixedTokenVerifier.admin, body: #"{"topic":"public.other","data":1}"#).status == 200)
            let t = try OpsHTTP.json(try await OpsHTTP.get("/api/v1/topics", port: p, token: "narrow"))
            let names = (t["topics"] as? [[String: Any]])?.compactMap { $0["topic"] as? String }
            #expect(names == ["public.ok1"])
        }
    }

    @Test func failedAPIAuthCountsInMetrics() async throws {
        try await Self.run { server async throws in
            _ = try await OpsHTTP.get("/api/v1/topics", port: server.port, token: "wrong")
            #expect(server.metrics.authFailures.load(ordering: .relaxed) == 1)
            // A missing token or a valid token without the right is not a failed check.
            _ = try await OpsHTTP.get("/api/v1/topics", port: server.port)
            _ = try await OpsHTTP.get("/api/v1/topics", port: server.port, token: FixedTokenVerifier.user)
            #expect(server.metrics.authFailures.load(ordering: .relaxed) == 1)
        }
    }
}

import Broadcast
import Engines
import WSProtocol

/// The HTTP API (`/api/v1/*`, PROTOCOL.md "Identity and operations"):
///
/// | call | answers |
/// |---|---|
/// | `POST /api/v1/publish` `{"topic","data"}` | `{"offset":N}` |
/// | `GET /api/v1/topics` | `{"topics":[{"topic","subscribers"}],"count"}` |
/// | `GET /api/v1/presence/{topic}` | `{"clients":[{"client","user"}],"count"}` |
/// | `GET /api/v1/history/{topic}?limit=N` | `{"epoch","offset","publications":[{topic,offset,data}]}` |
/// | `GET /api/v1/personality/{user}` | the mirroring engine's profile of `user` (`APIRoutes+Personality`) |
///
/// Every call needs `Authorization: Bearer <token>`: a token the verifier accepts as an admin or
/// an API token (`AuthIdentity.isAPI`), or one of the config's `api_keys`. No or a bad token: 401;
/// a valid token without that right: 403; an address over `auth_failures_per_minute`: 429. A token
/// restricted to topic patterns reaches only those topics. Errors are JSON,
/// `{"error":{"code":"unauthorized","message":"…"}}`, with the matching status; the token itself
/// is never echoed or logged.
struct APIRoutes: Sendable {
    let apiKeys: [String]
    let namespaces: Namespaces
    let verifier: any TokenVerifier
    let authFailures: FailureLimiter
    let metrics: ServerMetrics
    /// The engines `GET /api/v1/personality/{user}` asks (the mirroring engine's `profile`).
    let engines: EngineRegistry
    /// Profiles answered in the last `mirror_cache_ttl` seconds, by user.
    let personalityCache: LRUCache<String, [UInt8]>?

    init(apiKeys: [String], namespaces: Namespaces, verifier: any TokenVerifier = RefusingTokenVerifier(),
         authFailures: FailureLimiter = FailureLimiter(limit: 0), metrics: ServerMetrics = ServerMetrics(),
         engines: EngineRegistry = .none, personalityCache: LRUCache<String, [UInt8]>? = nil) {
        self.engines = engines
        self.personalityCache = personalityCache
        self.apiKeys = apiKeys
        self.namespaces = namespaces
        self.verifier = verifier
        self.authFailures = authFailures
        self.metrics = metrics
    }

    /// The identity API calls are checked with: a server-side caller with a user, allowed wherever
    /// operators and authenticated users are (publications it makes carry no `from`).
    static let identity = ClientIdentity(client: "api", user: "api", isAdmin: true)

    /// One API call, its path and method already matched.
    private enum Call: Sendable {
        case publish([UInt8])
        case topics
        case presence(String)
        case history(String, query: HTTPRequestHead)
        case personality(String)
    }

    /// Who is calling: a config key, or a verified token (whose topic patterns still apply).
    private enum Grant: Sendable {
        case apiKey
        case token(AuthIdentity)

        func allows(topic: String) -> Bool {
            if case .token(let a) = self { return a.allows(topic: topic) }
            return true
        }
    }

    func route(_ head: HTTPRequestHead, body: [UInt8], remoteAddress: String) -> Route? {
        guard head.path == "/api" || head.path.hasPrefix("/api/") else { return nil }
        if authFailures.isBlocked(remoteAddress) {
            return .respond(Self.error(.tooManyRequests, .rateLimited, "too many failed authentication attempts",
                                       headers: [("Retry-After", String(authFailures.retryAfterSeconds(remoteAddress)))]))
        }
        let call: Call
        switch head.path {
        case "/api/v1/publish":
            guard head.method == "POST" else { return .respond(Self.methodNotAllowed("POST")) }
            call = .publish(body)
        case "/api/v1/topics":
            guard head.method == "GET" else { return .respond(Self.methodNotAllowed("GET")) }
            call = .topics
        case let p where p.hasPrefix("/api/v1/presence/"):
            guard head.method == "GET" else { return .respond(Self.methodNotAllowed("GET")) }
            call = .presence(Self.percentDecoded(p.dropFirst("/api/v1/presence/".count)))
        case let p where p.hasPrefix("/api/v1/history/"):
            guard head.method == "GET" else { return .respond(Self.methodNotAllowed("GET")) }
            call = .history(Self.percentDecoded(p.dropFirst("/api/v1/history/".count)), query: head)
        case let p where p.hasPrefix("/api/v1/personality/"):
            guard head.method == "GET" else { return .respond(Self.methodNotAllowed("GET")) }
            call = .personality(Self.percentDecoded(p.dropFirst("/api/v1/personality/".count)))
        default:
            return .respond(Self.error(.notFound, .notFound, "no such API: \(head.path)"))
        }
        guard let token = Self.bearer(head) else {
            return .respond(Self.error(.unauthorized, .unauthorized, "missing Authorization: Bearer <token>",
                                       headers: [("WWW-Authenticate", "Bearer")]))
        }
        if isConfiguredKey(token) {
            return .deferred { loop, done in self.perform(call, grant: .apiKey, port: loop.busPort, done) }
        }
        // A token for the verifier, which answers off the loop.
        let verifier = self.verifier, limiter = authFailures, metrics = self.metrics
        return .deferred { loop, done in
            let port = loop.busPort!
            Task.onHub {
                switch await verifier.verify(token) {
                case .failure:
                    metrics.authFailure()
                    limiter.recordFailure(from: remoteAddress)
                    done(Self.error(.unauthorized, .unauthorized, "invalid token", headers: [("WWW-Authenticate", "Bearer")]))
                case .success(let identity):
                    guard identity.isAdmin || identity.isAPI else {
                        return done(Self.error(.forbidden, .forbidden, "the HTTP API needs an admin or an API token"))
                    }
                    self.perform(call, grant: .token(identity), port: port, done)
                }
            }
        }
    }

    // MARK: - Calls

    private func perform(_ call: Call, grant: Grant, port: BusPort, _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        switch call {
        case .publish(let body): publish(body, grant: grant, port: port, done)
        case .topics: topics(grant: grant, port: port, done)
        case .presence(let topic): presence(topic, grant: grant, port: port, done)
        case .history(let topic, let head): history(topic, head, grant: grant, port: port, done)
        case .personality(let user): personality(user, allowed: grant.allows(topic: "mirror." + user), done)
        }
    }

    private func publish(_ body: [UInt8], grant: Grant, port: BusPort, _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        let command: Command
        switch Command.parse(body, validating: true, impliedOp: .publish) {
        case .failure(let e): return done(Self.error(.badRequest, e.code, e.message))
        case .success(let c): command = c
        }
        guard command.kind == .publish, let topic = command.topic, let data = command.data else {
            return done(Self.error(.badRequest, .badRequest, #"the body must be {"topic": …, "data": …}"#))
        }
        if let denied = check(topic, \.publish, grant: grant) { return done(denied) }
        metrics.published()
        port.publish(topic: topic, data: Array(data), from: nil) { result in
            switch result {
            case .success(let p): done(.json(.ok, Array("{\"offset\":\(p.offset)}".utf8), headers: [("Connection", "close")]))
            case .failure(let e): done(Self.error(e))
            }
        }
    }

    private func topics(grant: Grant, port: BusPort, _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        let bus = port.bus
        Task.onHub {
            let stats = await bus.stats()
            let visible = stats.subscribersByTopic.filter { grant.allows(topic: $0.key) }.sorted { $0.key < $1.key }
            var o = JSONObjectWriter(reservingCapacity: 64 + 48 * visible.count)
            o.array("topics") { a in
                for (topic, n) in visible {
                    a.object { e in
                        e.string("topic", topic)
                        e.int("subscribers", n)
                    }
                }
            }
            o.int("count", visible.count)
            done(Self.ok(o.finish()))
        }
    }

    private func presence(_ topic: String, grant: Grant, port: BusPort, _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        if let denied = check(topic, \.subscribe, grant: grant) { return done(denied) }
        port.presence(topic: topic) { result in
            switch result {
            case .failure(let e): done(Self.error(e))
            case .success(let members):
                var o = JSONObjectWriter(reservingCapacity: 64 + 48 * members.count)
                o.array("clients") { list in
                    for m in members {
                        list.object { e in
                            e.string("client", m.client)
                            e.string("user", m.user)
                        }
                    }
                }
                o.int("count", members.count)
                done(Self.ok(o.finish()))
            }
        }
    }

    private func history(_ topic: String, _ head: HTTPRequestHead, grant: Grant, port: BusPort,
                         _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        var limit: Int?
        if let text = head.queryParameter("limit") {
            guard let n = Int(text), n > 0 else {
                return done(Self.error(.badRequest, .badRequest, "limit must be a positive integer"))
            }
            limit = n
        }
        if let denied = check(topic, \.subscribe, grant: grant) { return done(denied) }
        port.history(topic: topic, limit: limit, since: nil) { result in
            switch result {
            case .failure(let e): done(Self.error(e))
            case .success(let h):
                var o = JSONObjectWriter(reservingCapacity: 256 + h.publications.reduce(0) { $0 + $1.data.count + 64 })
                o.string("epoch", h.position.epoch)
                o.int("offset", Int(h.position.offset))
                o.array("publications") { list in
                    for p in h.publications {
                        list.raw(ReplyEncoder.publication(topic: p.topic, offset: Int(p.offset), data: p.data))
                    }
                }
                done(Self.ok(o.finish()))
            }
        }
    }

    /// nil when the caller may `which` on `topic`, else the error answer (400 bad name, 403 rules).
    private func check(_ topic: String, _ which: KeyPath<NamespaceRules, Permission>, grant: Grant) -> HTTPResponse? {
        guard TopicName.isValid(topic) else {
            return Self.error(.badRequest, .badRequest, "invalid topic name (expected [A-Za-z0-9_.:@-]{1,128})")
        }
        guard let rules = namespaces.rules(for: topic) else {
            return Self.error(.forbidden, .forbidden, "unknown namespace \"\(TopicName.namespace(of: topic))\"")
        }
        guard rules[keyPath: which].allows(Self.identity), grant.allows(topic: topic) else {
            let verb = which == \NamespaceRules.publish ? "publishing to" : "reading"
            return Self.error(.forbidden, .forbidden, "\(verb) \(topic) is not allowed")
        }
        return nil
    }

    private func isConfiguredKey(_ token: String) -> Bool {
        let key = Array(token.utf8)
        // Every configured key is compared, in constant time, so timing tells nothing.
        var found = false
        for k in apiKeys where Self.constantTimeEquals(Array(k.utf8), key) { found = true }
        return found
    }

    // MARK: - Answers

    /// The token of `Authorization: Bearer <token>` (not `?token=`: URLs end up in proxy logs).
    static func bearer(_ head: HTTPRequestHead) -> String? {
        guard let value = head.header("Authorization"), value.count > 7, value.prefix(7).lowercased() == "bearer " else {
            return nil
        }
        let token = String(value.dropFirst(7))
        return token.isEmpty ? nil : token
    }

    private static func ok(_ body: [UInt8]) -> HTTPResponse {
        .json(.ok, body, headers: [("Connection", "close"), ("Cache-Control", "no-store")])
    }

    private static func methodNotAllowed(_ allow: String) -> HTTPResponse {
        error(.methodNotAllowed, .badRequest, "use \(allow)", headers: [("Allow", allow)])
    }

    /// A bus refusal as an answer (both cases are the namespace's rules: 403).
    private static func error(_ e: BusError) -> HTTPResponse {
        let err = Session.error(e, id: nil)
        return error(.forbidden, err.code, err.message)
    }

    /// A JSON error answer.
    static func error(_ status: HTTPStatus, _ code: ErrorCode, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        .json(status, ReplyEncoder.error(id: nil, code: code, message: message), headers: headers + [("Connection", "close")])
    }

    /// A path segment with `%XX` escapes decoded (a topic may hold `@` or `:`, which clients
    /// sometimes escape); malformed escapes stay as they are, and fail the topic check.
    static func percentDecoded(_ s: Substring) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

import WSProtocol

/// Maps a request head to a response or a WebSocket endpoint (PROTOCOL.md "Command line and
/// HTTP"): `/health`, `/echo`; unknown paths 404; a plain request to a WebSocket path 426.
struct Router: Sendable {
    let config: HubConfig
    private let echo: WebSocketEndpoint
    private let ws: WebSocketEndpoint
    private let wsAuth: WebSocketEndpoint
    private let wsAdmin: WebSocketEndpoint
    private let api: APIRoutes
    private let metrics: ServerMetrics
    private let deflate: PerMessageDeflateConfig?
    private let health: HealthRoutes
    private let origins: OriginPolicy
    /// Failed token checks per remote IP: sessions record their failures here
    /// (`c.loop.router.authFailures.recordFailure(from: c.remoteAddress)`).
    let authFailures: FailureLimiter

    init(config: HubConfig, sessions: SessionSettings, metrics: ServerMetrics,
         status: HubStatus? = nil, authFailures: FailureLimiter? = nil) {
        self.config = config
        self.metrics = metrics
        let status = status ?? HubStatus(loopCount: config.loops)
        let limiter = authFailures ?? FailureLimiter(limit: config.authFailuresPerMinute)
        self.authFailures = limiter
        health = HealthRoutes(status: status, metrics: metrics)
        origins = OriginPolicy(allowed: config.allowedOrigins)
        api = APIRoutes(apiKeys: config.apiKeys, namespaces: sessions.namespaces, verifier: sessions.verifier,
                        authFailures: limiter, metrics: metrics, engines: sessions.engines,
                        personalityCache: APIRoutes.personalityCache(config: config, engines: sessions.engines, caches: status.caches))
        ws = WebSocketEndpoint(
            name: "ws", maxMessageBytes: config.maxMessageBytes, maxFragments: config.maxFragments,
            maxOutboundBytes: config.maxOutboundBytes, deflateThreshold: config.deflateThreshold,
            makeHandler: { info in Session(settings: sessions, info: info, endpoint: .anonymous) })
        wsAuth = WebSocketEndpoint(
            name: "ws_auth", maxMessageBytes: config.maxMessageBytes, maxFragments: config.maxFragments,
            maxOutboundBytes: config.maxOutboundBytes, deflateThreshold: config.deflateThreshold,
            makeHandler: { info in Session(settings: sessions, info: info, endpoint: .user) })
        wsAdmin = WebSocketEndpoint(
            name: "ws_admin", maxMessageBytes: config.maxMessageBytes, maxFragments: config.maxFragments,
            maxOutboundBytes: config.maxOutboundBytes, deflateThreshold: config.deflateThreshold,
            makeHandler: { info in Session(settings: sessions, info: info, endpoint: .admin) })
        // /echo allows 16 MiB messages and any number of fragments (Autobahn 9.*). It is never a
        // slow consumer: a client that does not read its echoes is throttled instead (its reads
        // pause while its output queue is over ServerTuning.readPauseBytes). With deflate
        // negotiated it compresses every echo, however small: a conformance client expects what
        // it compressed to come back compressed (kosoku 0.1.0 errors on small plain echoes in 12.*).
        echo = WebSocketEndpoint(
            name: "echo", maxMessageBytes: config.echoMaxMessageBytes, maxFragments: 0,
            maxOutboundBytes: 0,
            deflateThreshold: 0,
            makeHandler: { _ in EchoHandler() })
        var d = PerMessageDeflateConfig()
        d.clientMaxWindowBits = config.deflateClientMaxWindowBits
        deflate = config.deflate ? d : nil
    }

    /// The decision for one request.
    func route(_ head: HTTPRequestHead, body: [UInt8], remoteAddress: String) -> Route {
        if let route = api.route(head, body: body, remoteAddress: remoteAddress) { return route }
        if let route = health.route(head) { return route }
        switch head.path {
        case "/metrics":
            guard head.method == "GET" else { return .respond(methodNotAllowed()) }
            return .respond(HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                         body: MetricsExposition.render(metrics, uptimeSeconds: health.status.uptimeSeconds,
                                                                         breakers: health.status.breakers.snapshots(),
                                                                         caches: health.status.caches.stats())))
        case "/admin":
            guard head.method == "GET" || head.method == "HEAD" else { return .respond(methodNotAllowed()) }
            let response = HTTPResponse(status: .ok, headers: AdminPage.headers, body: AdminPage.html)
            return .respond(head.method == "HEAD" ? response.headOnly : response)
        case "/echo" where config.echo:
            return upgrade(head, to: echo, remoteAddress: remoteAddress)
        case "/ws":
            guard config.anonymous else { return .respond(.plain(.forbidden, "anonymous access is disabled")) }
            if let refused = origins.refusal(head) { return .respond(refused) }
            return upgrade(head, to: ws, remoteAddress: remoteAddress)
        case "/ws/auth", "/ws/admin":
            if let refused = origins.refusal(head) { return .respond(refused) }
            if authFailures.isBlocked(remoteAddress) {
                return .respond(.plain(.tooManyRequests, "too many failed authentication attempts",
                                       headers: [("Retry-After", String(authFailures.retryAfterSeconds(remoteAddress)))]))
            }
            return upgrade(head, to: head.path == "/ws/auth" ? wsAuth : wsAdmin, remoteAddress: remoteAddress)
        default:
            return .respond(.plain(.notFound, "not found: \(head.path)"))
        }
    }

    private func upgrade(_ head: HTTPRequestHead, to endpoint: WebSocketEndpoint, remoteAddress: String) -> Route {
        switch WebSocketHandshake.accept(head, subprotocols: config.subprotocols, deflate: deflate) {
        case .success(let accepted):
            return .upgrade(accepted, endpoint, HandshakeInfo(path: head.path, token: Self.token(head), origin: accepted.origin,
                                                              remoteAddress: remoteAddress))
        case .failure(let error): return .respond(error.response)
        }
    }

    /// A token given with the handshake: `?token=…` or `Authorization: Bearer …`.
    static func token(_ head: HTTPRequestHead) -> String? {
        if let t = head.queryParameter("token"), !t.isEmpty { return t }
        return APIRoutes.bearer(head)
    }

    private func methodNotAllowed() -> HTTPResponse {
        .plain(.methodNotAllowed, "method not allowed", headers: [("Allow", "GET")])
    }
}

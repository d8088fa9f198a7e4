import Engines
import WSProtocol

/// `GET /api/v1/personality/{user}`: the mirroring engine's rolling profile of a user
/// (docs/engines/mirror.md), answered by the engine's `profile` action through
/// `EngineRegistry.call` (so its breaker and timeout apply) and kept `mirror_cache_ttl` seconds
/// in the `personality` cache (`/health/cache`, `/metrics`).
///
/// Statuses beyond the common ones (401, 403 for a user token): 404 for a user without a
/// profile, 503 while the mirroring engine is disabled or down.
extension APIRoutes {
    /// The `personality` cache when the mirroring engine is enabled (registered with `caches`),
    /// else nil.
    static func personalityCache(config: HubConfig, engines: EngineRegistry, caches: CacheRegistry) -> LRUCache<String, [UInt8]>? {
        guard engines.engine(named: "mirror") != nil else { return nil }
        let cache = LRUCache<String, [UInt8]>(name: "personality", budgetBytes: config.mirrorCacheBytes, ttl: config.mirrorCacheTTL)
        caches.register(cache)
        return cache
    }

    /// Answers the profile of `user`; `allowed` says whether the caller's token reaches
    /// `mirror.<user>` (a token restricted to topic patterns may not).
    func personality(_ user: String, allowed: Bool, _ done: @escaping @Sendable (HTTPResponse) -> Void) {
        guard !user.isEmpty, user.utf8.count <= 256, !user.contains("/") else {
            return done(Self.error(.badRequest, .badRequest, "expected /api/v1/personality/{user}"))
        }
        guard allowed else { return done(Self.error(.forbidden, .forbidden, "reading mirror.\(user) is not allowed")) }
        let cache = personalityCache
        if let body = cache?.get(user) { return done(Self.profileAnswer(body)) }
        let engines = self.engines, generation = cache?.generation
        var args = JSONObjectWriter(reservingCapacity: 32 + user.utf8.count)
        args.string("user", user)
        let call = EngineCall(action: "profile", args: args.finish(), caller: EngineCaller(client: "api", user: nil, isAdmin: true))
        Task.onHub {
            switch await engines.call("mirror", call) {
            case .success(let reply):
                cache?.put(user, reply.json, cost: reply.json.count + user.utf8.count + 64, ifGeneration: generation)
                done(APIRoutes.profileAnswer(reply.json))
            case .failure(let e):
                done(APIRoutes.error(e))
            }
        }
    }

    private static func profileAnswer(_ body: [UInt8]) -> HTTPResponse {
        .json(.ok, body, headers: [("Connection", "close"), ("Cache-Control", "no-store")])
    }

    /// An engine's refusal as an answer with the matching status.
    static func error(_ e: EngineError) -> HTTPResponse {
        let status: HTTPStatus
        switch e.code {
        case .badRequest, .tooLarge: status = .badRequest
        case .unauthorized: status = .unauthorized
        case .forbidden: status = .forbidden
        case .notFound: status = .notFound
        case .rateLimited: status = .tooManyRequests
        case .unavailable: status = .serviceUnavailable
        case .internal: status = .internalServerError
        }
        return error(status, ErrorCode(rawValue: e.code.rawValue) ?? .internal, e.message)
    }
}

import Synchronization

/// The hub's verifier: a JWT (three dot-separated parts) is checked with the configured HS256
/// secret; anything else is an opaque token looked up, by its SHA-256, in the store.
///
/// Store lookups go through the `sqlite` circuit breaker: when the store keeps failing, checks
/// fail at once with "token store unavailable" instead of queueing behind it. Their verdicts are
/// cached for a few seconds (`cacheTTL`, keyed by the token's SHA-256, never by the token), so a
/// client that reconnects in a loop does not cost a store hop each time. Revocation stays exact:
/// the cache is emptied whenever `revocationStamp()` sees the stamp move (the revocation watch
/// polls it twice a second, before it has the sessions re-check their tokens), a lookup that
/// started before such an invalidation is not cached after it, and a valid verdict is never
/// kept past the token's expiry. Store errors and breaker refusals are never cached. JWTs are
/// checked by HMAC on every call (no store hop to save).
final class StoreTokenVerifier: TokenVerifier {
    /// Seconds a verdict on an opaque token is reused.
    static let cacheTTL = 5.0
    /// Seconds a refusal (unknown, expired, revoked) is reused: short, so a cache full of an
    /// attacker's guesses empties quickly. Never more than `cacheTTL`.
    static let failureTTL = 1.0
    /// Bytes of verdicts kept at most.
    static let cacheBudget = 1 << 20
    /// The breaker's settings for the store: 5 failures in a row open it for 2 s; a lookup that
    /// takes over 2 s counts as failed.
    static let breakerConfiguration = CircuitBreaker.Configuration(name: "sqlite", failureThreshold: 5, openInterval: 2,
                                                                   callTimeout: 2)

    let store: Store
    /// The HS256 secret (`jwt_secret`); nil: JWTs are refused.
    let jwtSecret: [UInt8]?
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    let leeway: Int64
    /// Guards the store lookups (`sqlite` in health and metrics).
    let breaker: CircuitBreaker
    /// Verdicts on opaque tokens by SHA-256 of the token (`token_verification` in health and metrics).
    let cache: LRUCache<[UInt8], Result<AuthIdentity, AuthFailure>>
    /// The revocation stamp last read, to notice when it moves.
    private let lastStamp = Mutex<Int64?>(nil)

    init(store: Store, jwtSecret: [UInt8]?, leeway: Int64,
         breaker: CircuitBreaker = CircuitBreaker(StoreTokenVerifier.breakerConfiguration),
         cache: LRUCache<[UInt8], Result<AuthIdentity, AuthFailure>>? = nil) {
        self.store = store
        self.jwtSecret = jwtSecret
        self.leeway = leeway
        self.breaker = breaker
        self.cache = cache ?? LRUCache(name: "token_verification", budgetBytes: Self.cacheBudget, ttl: Self.cacheTTL)
    }

    func verify(_ token: String) async -> Result<AuthIdentity, AuthFailure> {
        if token.utf8.filter({ $0 == UInt8(ascii: ".") }).count == 2 {
            guard let jwtSecret else { return .failure(AuthFailure(reason: "JWTs are not accepted (no jwt_secret)")) }
            switch JWT.verify(token, secret: jwtSecret, now: Store.now(), leeway: leeway) {
            case .failure(let e): return .failure(AuthFailure(reason: e.reason))
            case .success(let claims):
                return .success(AuthIdentity(user: claims.sub, isAdmin: claims.isAdmin, expiresAt: claims.exp,
                                             topics: claims.topics, tokenID: nil))
            }
        }
        // Not shaped like a stored secret: no store hop, nothing cached (junk must not evict verdicts).
        guard token.hasPrefix(TokenStore.secretPrefix) else { return .failure(AuthFailure(reason: "unknown token")) }
        let key = Crypto.sha256(token.utf8)
        if let cached = cache.get(key) { return cached }
        let generation = cache.generation
        let verdict: TokenVerdict
        do {
            let store = self.store
            verdict = try await breaker.call { try await store.verify(secret: token) }
        } catch {
            return .failure(AuthFailure(reason: "token store unavailable"))
        }
        let result: Result<AuthIdentity, AuthFailure>
        var ttl = Self.failureTTL
        switch verdict {
        case .valid(let info):
            result = .success(AuthIdentity(user: info.user, isAdmin: info.kind == .admin, isAPI: info.kind == .api,
                                           expiresAt: info.expires, topics: nil, tokenID: info.id))
            ttl = Self.cacheTTL
            if let expires = info.expires { ttl = min(ttl, Double(expires - Store.now())) }
        case .unknown: result = .failure(AuthFailure(reason: "unknown token"))
        case .expired: result = .failure(AuthFailure(reason: "token expired"))
        case .revoked: result = .failure(AuthFailure(reason: "token revoked"))
        }
        cache.put(key, result, cost: Self.cost(of: result), ttl: min(ttl, Self.cacheTTL), ifGeneration: generation)
        return result
    }

    /// The store's revocation stamp. When it differs from the last one read, the verdict cache is
    /// emptied before this returns, so the re-checks that follow go to the store. When the store
    /// cannot answer, the last stamp read is returned: a failing store is not a revocation (it
    /// would have every session re-check, and fail, at once).
    func revocationStamp() async -> Int64 {
        let store = self.store
        let read = try? await breaker.call { try await store.revocationStamp() }
        let (stamp, moved) = lastStamp.withLock { last -> (Int64, Bool) in
            let value = read ?? last ?? 0
            defer { last = value }
            // The first reading empties the cache too: verdicts cached before it cannot be known
            // to predate no revocation (one made right after the start would be missed).
            return (value, last != value)
        }
        if moved { cache.removeAll() }
        return stamp
    }

    /// An estimate of what a cached verdict holds: the 32-byte key, the entry's bookkeeping and
    /// the identity's strings.
    static func cost(of result: Result<AuthIdentity, AuthFailure>) -> Int {
        let fixed = 32 + 96
        switch result {
        case .success(let a):
            return fixed + a.user.utf8.count + (a.tokenID?.utf8.count ?? 0) + (a.topics ?? []).reduce(0) { $0 + $1.utf8.count + 16 }
        case .failure(let f):
            return fixed + f.reason.utf8.count
        }
    }
}

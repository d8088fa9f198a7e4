/// The hub's verifier: a JWT (three dot-separated parts) is checked with the configured HS256
/// secret; anything else is an opaque token looked up, by its SHA-256, in the store.
struct StoreTokenVerifier: TokenVerifier {
    let store: Store
    /// The HS256 secret (`jwt_secret`); nil: JWTs are refused.
    let jwtSecret: [UInt8]?
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    let leeway: Int64

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
        do {
            switch try await store.verify(secret: token) {
            case .valid(let info):
                return .success(AuthIdentity(user: info.user, isAdmin: info.kind == .admin, isAPI: info.kind == .api,
                                             expiresAt: info.expires, topics: nil, tokenID: info.id))
            case .unknown: return .failure(AuthFailure(reason: "unknown token"))
            case .expired: return .failure(AuthFailure(reason: "token expired"))
            case .revoked: return .failure(AuthFailure(reason: "token revoked"))
            }
        } catch {
            return .failure(AuthFailure(reason: "token store unavailable"))
        }
    }

    func revocationStamp() async -> Int64 {
        (try? await store.revocationStamp()) ?? 0
    }
}

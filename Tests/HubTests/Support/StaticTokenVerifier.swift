@testable import Hub

/// A `TokenVerifier` for tests: a fixed table of tokens and who they are; every other token is
/// refused with "unknown token".
struct StaticTokenVerifier: TokenVerifier {
    let identities: [String: AuthIdentity]

    init(_ identities: [String: AuthIdentity]) {
        self.identities = identities
    }

    /// One admin token for user `user`.
    static func admin(token: String, user: String = "operator") -> StaticTokenVerifier {
        StaticTokenVerifier([token: AuthIdentity(user: user, isAdmin: true)])
    }

    func verify(_ token: String) async -> Result<AuthIdentity, AuthFailure> {
        if let identity = identities[token] { return .success(identity) }
        return .failure(AuthFailure(reason: "unknown token"))
    }

    func revocationStamp() async -> Int64 { 0 }
}

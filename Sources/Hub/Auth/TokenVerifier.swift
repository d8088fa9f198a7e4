/// Checks a token (an opaque stored token or a JWT) and says who it belongs to, or why not.
/// Called from the event loops; implementations hop to their own executor (the store's queue),
/// never blocking a loop.
protocol TokenVerifier: Sendable {
    /// The identity behind `token`, or a short reason to put in the 4401 close.
    func verify(_ token: String) async -> Result<AuthIdentity, AuthFailure>
    /// A number that changes whenever any token is revoked (a running hub polls it).
    func revocationStamp() async -> Int64
}

/// Why a token was refused; `reason` goes into the close frame (≤ 123 bytes).
struct AuthFailure: Error, Equatable, Sendable {
    let reason: String
}

/// The verifier of a hub without an identity store: every token is refused.
struct RefusingTokenVerifier: TokenVerifier {
    func verify(_ token: String) async -> Result<AuthIdentity, AuthFailure> {
        .failure(AuthFailure(reason: "no identity store"))
    }
    func revocationStamp() async -> Int64 { 0 }
}

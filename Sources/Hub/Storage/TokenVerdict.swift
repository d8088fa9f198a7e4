/// The outcome of checking a presented token secret against the store.
enum TokenVerdict: Sendable, Equatable {
    /// Known, unrevoked and unexpired.
    case valid(TokenInfo)
    /// No token has this secret (or it is not shaped like one).
    case unknown
    /// Known but past its expiry.
    case expired
    /// Known but revoked (revocation wins over expiry).
    case revoked
}

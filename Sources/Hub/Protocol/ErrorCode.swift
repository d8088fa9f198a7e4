/// The `code` of an error reply (PROTOCOL.md "Replies"): short snake_case words clients switch on.
enum ErrorCode: String, Sendable, CaseIterable {
    /// Malformed command, invalid JSON, unknown `op`, missing or mistyped field, bad topic name.
    case badRequest = "bad_request"
    /// No identity, or a bad token.
    case unauthorized
    /// The namespace's rules forbid it, or presence is switched off.
    case forbidden
    /// No such topic, stream, message or user.
    case notFound = "not_found"
    /// The command is over the size limit.
    case tooLarge = "too_large"
    /// Over the per-connection command rate.
    case rateLimited = "rate_limited"
    /// A dependency (engine, storage, broker) cannot serve it now.
    case unavailable
    /// A bug or unexpected failure in the hub.
    case `internal`
}

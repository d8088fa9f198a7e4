/// A command the hub refuses, carrying what the error reply needs: its code, a short message and
/// the command's `id` when one could be read (PROTOCOL.md "Replies").
///
/// `id` is extracted even when other fields are wrong, so `{"op":"publish","id":5}` is answered
/// `{"id":5,"error":{…}}`; it is `nil` when the JSON itself is invalid or the `id` is not valid.
struct CommandError: Error, Equatable, Sendable {
    /// What kind of refusal.
    var code: ErrorCode
    /// A short English explanation for humans (clients switch on `code`).
    var message: String
    /// The command's `id`, echoed in the reply when present.
    var id: Int?

    /// An error with every part given.
    init(code: ErrorCode, message: String, id: Int? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    /// A `bad_request` error.
    static func badRequest(_ message: String, id: Int? = nil) -> CommandError {
        CommandError(code: .badRequest, message: message, id: id)
    }
}

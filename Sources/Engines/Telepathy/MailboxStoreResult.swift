/// What storing one direct message did.
public enum MailboxStoreResult: Sendable, Equatable {
    /// Written (and committed) as this new message.
    case stored(MailboxMessage)
    /// The sender already used this idempotency key: nothing was written, this is the id the
    /// first `send` got.
    case duplicate(id: String)
    /// Refused: the recipient already has `pending` unacked messages (the per-recipient cap).
    case full(pending: Int)
}

/// Where the telepathy engine keeps its mailboxes: durable storage that has committed a message
/// before `storeMessage` returns, so a `send` that got its reply survives a crash of the hub.
///
/// Engines do not import the hub, so the hub's SQLite `Store` conforms to this protocol
/// (`Store+Mailbox.swift`). Acked messages keep their id, sender and key (not their data) until
/// they expire, so a retried `send` with the same key still answers the same id.
public protocol MailboxStorage: Sendable {
    /// Stores a new message unless `from` already used `key`, or `to` already has `maxPending`
    /// unacked messages; all in one transaction.
    /// - Parameters:
    ///   - id: the new message's id (used only when it is stored).
    ///   - nowMs: Unix milliseconds, the message's creation time.
    func storeMessage(id: String, from: String, to: String, key: String?, data: [UInt8], nowMs: Int64,
                      maxPending: Int) async throws -> MailboxStoreResult

    /// Up to `limit` unacked messages of `user` with a sequence number above `seq`, in sequence order.
    func pendingMessages(for user: String, after seq: Int64, limit: Int) async throws -> [MailboxMessage]

    /// Acks message `id` if `recipient` is its recipient.
    func ackMessage(_ id: String, recipient: String, nowMs: Int64) async throws -> MailboxAckResult

    /// Removes every message (acked or not) created before `ms` (Unix milliseconds); returns how many.
    func expireMessages(createdBefore ms: Int64) async throws -> Int

    /// Unacked messages over all mailboxes.
    func pendingMessageCount() async throws -> Int
}

/// One direct message as the mailbox holds it until it expires (docs/engines/telepathy.md).
public struct MailboxMessage: Sendable, Equatable {
    /// The mailbox sequence number: increasing in the order messages were stored, never reused,
    /// so delivering in `seq` order keeps every sender's order.
    public var seq: Int64
    /// The public id (`m-…`) the sender got and the recipient acks.
    public var id: String
    /// The sending user.
    public var from: String
    /// The recipient user.
    public var to: String
    /// The sender's `data`, raw JSON bytes exactly as sent.
    public var data: [UInt8]
    /// When it was stored, Unix milliseconds (expiry counts from here).
    public var createdMs: Int64

    public init(seq: Int64, id: String, from: String, to: String, data: [UInt8], createdMs: Int64) {
        self.seq = seq
        self.id = id
        self.from = from
        self.to = to
        self.data = data
        self.createdMs = createdMs
    }
}

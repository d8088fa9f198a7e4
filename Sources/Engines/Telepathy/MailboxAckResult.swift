/// What acknowledging one direct message did.
public enum MailboxAckResult: Sendable, Equatable {
    /// It was unacked and is now acked; `seq` is its mailbox sequence number.
    case acked(seq: Int64)
    /// The recipient had acked it before (a repeated ack is harmless).
    case alreadyAcked
    /// No such message for this recipient: unknown, someone else's, or expired.
    case notFound
}

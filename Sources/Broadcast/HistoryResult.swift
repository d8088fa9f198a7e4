/// The answer to a history query.
public struct HistoryResult: Sendable {
    /// The topic's current epoch and latest offset.
    public let position: StreamPosition
    /// Retained publications, oldest first.
    public let publications: [Publication]
}

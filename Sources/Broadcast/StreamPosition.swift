/// A point in a topic's stream: its epoch and an offset. Offsets grow by one per publication; the
/// epoch changes whenever the history is lost, so an old position cannot be mistaken for a new one.
public struct StreamPosition: Sendable, Equatable, Hashable {
    /// The stream's epoch.
    public var epoch: String
    /// The offset of the last publication the holder has (0: none).
    public var offset: UInt64

    /// A position.
    public init(epoch: String, offset: UInt64) {
        self.epoch = epoch
        self.offset = offset
    }
}

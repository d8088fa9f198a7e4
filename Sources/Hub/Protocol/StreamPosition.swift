/// A place in a topic's stream, `{"epoch": "…", "offset": N}`: the `recover` of a subscribe and the
/// `since` of a history command. `offset` is the last one the client has; it gets offsets above it.
struct StreamPosition: Equatable, Hashable, Sendable {
    /// The topic's epoch as the client last saw it; another epoch means the history was lost.
    var epoch: String
    /// The last offset the client has (0 when none), 0 … 2^53 − 1.
    var offset: Int
}

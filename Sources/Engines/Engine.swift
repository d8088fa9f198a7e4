import Broadcast

/// A stream producer that publishes into the bus like any client (filled in by the engines issue).
public protocol Engine: Sendable {
    /// The engine's name, as used in `{"op":"engine","engine":NAME}` commands.
    var name: String { get }
}

/// Why the bus refused a command; the hub maps each case to an error code.
public enum BusError: Error, Equatable, Sendable {
    /// The topic's namespace is not configured (→ `forbidden`).
    case unknownNamespace(String)
    /// The namespace has presence switched off (→ `forbidden`).
    case presenceDisabled
}

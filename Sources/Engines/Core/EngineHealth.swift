/// What `/health/ai` shows of one engine (PROTOCOL.md: enabled, generator in use, breaker state,
/// messages processed, last error), plus fields of the engine's own.
public struct EngineHealth: Sendable, Equatable {
    /// `ok`, `degraded` (working with a fallback or dropping work) or `down`.
    public enum Status: String, Sendable {
        case ok, degraded, down
    }

    public var status: Status
    /// Messages (or calls) processed since start.
    public var processed: Int
    /// The last failure, if any.
    public var lastError: String?
    /// The generator in use (dream: `markov` or `upstream`), nil for engines without one.
    public var generator: String?
    /// Engine-specific figures (`profiles`, `pending`, `streams`, `dropped`, …), in this order.
    public var details: [(String, EngineValue)]

    public init(status: Status = .ok, processed: Int = 0, lastError: String? = nil, generator: String? = nil,
                details: [(String, EngineValue)] = []) {
        self.status = status
        self.processed = processed
        self.lastError = lastError
        self.generator = generator
        self.details = details
    }

    public static func == (a: EngineHealth, b: EngineHealth) -> Bool {
        a.status == b.status && a.processed == b.processed && a.lastError == b.lastError && a.generator == b.generator
            && a.details.map(\.0) == b.details.map(\.0) && a.details.map(\.1) == b.details.map(\.1)
    }
}

/// A scalar in an engine's health details.
public enum EngineValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
}

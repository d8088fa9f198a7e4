import Broadcast

/// What the hub gives an engine at `start`: the bus to publish into, circuit breakers, the
/// background-task scheduler and the log. Built by the hub; engines never see sockets or frames.
public final class EngineContext: Sendable {
    /// The bus (publish through `port`; read history and presence through it too).
    public let bus: Bus
    /// A port for publishing: its replies come back in the `reply` closures.
    public let port: BusPort
    private let makeGuard: @Sendable (_ name: String, _ threshold: Int, _ openInterval: Double, _ timeout: Double?) -> any CallGuard
    private let scheduleTask: @Sendable (_ name: String, _ every: Double, _ runNow: Bool, _ body: @escaping @Sendable () async throws -> Void) -> Void
    private let logLine: @Sendable (_ level: LogLevel, _ event: String, _ fields: [(String, String)]) -> Void

    /// Log levels engines use.
    public enum LogLevel: Sendable { case debug, info, warning, error }

    public init(bus: Bus,
                makeGuard: @escaping @Sendable (String, Int, Double, Double?) -> any CallGuard,
                schedule: @escaping @Sendable (String, Double, Bool, @escaping @Sendable () async throws -> Void) -> Void,
                log: @escaping @Sendable (LogLevel, String, [(String, String)]) -> Void) {
        self.bus = bus
        self.port = bus.publisherPort()
        self.makeGuard = makeGuard
        self.scheduleTask = schedule
        self.logLine = log
    }

    /// A new circuit breaker, reported at `/health/circuit-breakers` and in `/metrics`.
    public func breaker(_ name: String, failureThreshold: Int = 5, openInterval: Double = 5,
                        callTimeout: Double? = nil) -> any CallGuard {
        makeGuard(name, failureThreshold, openInterval, callTimeout)
    }

    /// A named periodic task on the hub's scheduler (`/health/background-tasks`); with `runNow`
    /// its first run starts at once instead of one interval later (a warm-up).
    public func schedule(_ name: String, every interval: Double, runNow: Bool = false,
                         _ body: @escaping @Sendable () async throws -> Void) {
        scheduleTask(name, interval, runNow, body)
    }

    /// A JSON log line.
    public func log(_ level: LogLevel, _ event: String, _ fields: [(String, String)] = []) {
        logLine(level, event, fields)
    }

    /// Publishes `data` (raw JSON) on `topic` as the hub (no `from`) and returns the publication.
    /// `extra` is raw JSON members the push carries before `data` (`Publication.extra`).
    public func publish(topic: String, data: [UInt8], from: ClientIdentity? = nil,
                        extra: [UInt8]? = nil) async -> Result<Publication, BusError> {
        await withCheckedContinuation { (k: CheckedContinuation<Result<Publication, BusError>, Never>) in
            port.publish(topic: topic, data: data, from: from, extra: extra) { k.resume(returning: $0) }
        }
    }

    /// Publishes without waiting: publications handed over one after another from one task are
    /// published in that order (one port, one stream per shard). `reply` runs in the shard's
    /// isolation and must only hand the result on.
    public func publishInOrder(topic: String, data: [UInt8], extra: [UInt8]? = nil,
                               reply: @escaping @Sendable (Result<Publication, BusError>) -> Void) {
        port.publish(topic: topic, data: data, from: nil, extra: extra, reply: reply)
    }
}

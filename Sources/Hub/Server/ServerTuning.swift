/// The settings an event loop reads on every connection, converted once from `HubConfig` into
/// the units the loop uses (milliseconds, bytes).
struct ServerTuning: Sendable {
    var maxHeadBytes = 8192
    var maxHeaders = 100
    var handshakeTimeoutMs: UInt64 = 10_000
    var pingIntervalMs: UInt64 = 25_000
    var idleTimeoutMs: UInt64 = 60_000
    var closeTimeoutMs: UInt64 = 5_000
    /// Queued echo output above which a connection's reads pause until the queue drains.
    var readPauseBytes = 8 << 20
    /// Largest HTTP request body (413 beyond).
    var maxBodyBytes = 1 << 20
    /// Most connections at once across the hub (0: the file-descriptor limit decides).
    var maxConnections = 0
    /// See `HubConfig.pushCoalesceMs`.
    var pushCoalesceMs: UInt64 = 0

    init() {}

    init(_ config: HubConfig) {
        maxHeadBytes = config.maxHeadBytes
        maxHeaders = config.maxHeaders
        handshakeTimeoutMs = Self.ms(config.handshakeTimeout)
        pingIntervalMs = Self.ms(config.pingInterval)
        idleTimeoutMs = Self.ms(config.idleTimeout)
        closeTimeoutMs = Self.ms(config.closeTimeout)
        maxConnections = config.maxConnections
        maxBodyBytes = config.maxMessageBytes
        pushCoalesceMs = UInt64(max(0, config.pushCoalesceMs))
    }

    private static func ms(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds * 1000).rounded()) }
}

import Broadcast
import Engines

/// Builds the engines the config enables and the context they start with.
enum EngineSetup {
    /// The registry of the engines `config.engines` names; the others are reported disabled.
    /// Each engine issue adds its constructor here.
    static func registry(config: HubConfig, store: Store?) -> EngineRegistry {
        var engines: [any Engine] = []
        for name in config.engines {
            if let engine = make(name, config: config, store: store) { engines.append(engine) }
        }
        let built = Set(engines.map(\.name))
        return EngineRegistry(engines: engines, disabled: HubConfig.knownEngines.filter { !built.contains($0) })
    }

    private static func make(_ name: String, config: HubConfig, store: Store?) -> (any Engine)? {
        switch name {
        case "mirror":
            return MirrorEngine(settings: MirrorSettings(alpha: config.mirrorAlpha, profileInterval: config.mirrorProfileInterval,
                                                         maxUsers: config.mirrorMaxUsers, queueSize: config.mirrorQueueSize,
                                                         windowWords: config.mirrorWindowWords, maxTextChars: config.mirrorMaxTextChars))
        case "telepathy":
            // Direct messages need the durable mailbox: no store, no telepathy (reported disabled).
            guard let store else { return nil }
            return TelepathyEngine(storage: store, settings: TelepathySettings(
                expiry: config.telepathyExpiry, maxPending: config.telepathyMaxPending,
                maxDataBytes: config.maxCommandBytes, windowBytes: max(4096, config.maxOutboundBytes / 2)))
        case "dream": return DreamEngine(config: config.dream)
        default: return nil
        }
    }

    /// The context engines start with: breakers registered for health and metrics, tasks on the
    /// server's scheduler, log lines labelled `engine`.
    static func context(bus: Bus, breakers: CircuitBreakerRegistry, scheduler: TaskScheduler, logger: Logger) -> EngineContext {
        let log = logger.withLabel("engine")
        return EngineContext(
            bus: bus,
            makeGuard: { name, threshold, open, timeout in
                let b = CircuitBreaker(name: name, failureThreshold: threshold, openInterval: open, callTimeout: timeout)
                breakers.register(b)
                return b
            },
            schedule: { name, every, runNow, body in
                let task = scheduler.add(name, every: every, body)
                if runNow { task.tick() }
            },
            log: { level, event, fields in
                let values = fields.map { ($0.0, LogValue.string($0.1)) }
                switch level {
                case .debug: log.debug(event, values)
                case .info: log.info(event, values)
                case .warning: log.warning(event, values)
                case .error: log.error(event, values)
                }
            })
    }
}

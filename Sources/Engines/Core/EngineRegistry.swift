import Broadcast
import Synchronization

/// The hub's engines: starts them, routes `engine` commands (and `send`/`ack`, which are
/// telepathy's) to them through each engine's circuit breaker, hands them the publications and
/// connections they asked for, and reports them at `/health/ai`.
///
/// Isolation: every call goes through the engine's breaker (`engine.<name>`) with a timeout, so
/// an engine that throws, hangs or is overloaded costs its callers a fast `unavailable` error,
/// never a stuck connection; an engine that fails to start stays down while the others serve.
public final class EngineRegistry: Sendable {
    /// One engine's standing, for `/health/ai`.
    public struct Report: Sendable {
        public var name: String
        public var enabled: Bool
        /// Started without error.
        public var running: Bool
        /// `closed`, `open`, `half_open`; nil when disabled or not started.
        public var breaker: String?
        /// The engine's own health (nil when disabled or not started).
        public var health: EngineHealth?
        /// Why it did not start.
        public var startError: String?
    }

    private struct Slot: Sendable {
        let engine: any Engine
        var breaker: (any CallGuard)?
        var running = false
        var startError: String?
    }

    private let slots: Mutex<[String: Slot]>
    /// The running engines in order, kept beside `slots` so that the per-publication hooks
    /// (`published`, on loop threads) take a reference to an array, not build one.
    private let running = Mutex<[any Engine]>([])
    private let order: [String]
    private let disabled: [String]

    /// - Parameters:
    ///   - engines: the enabled engines, in the order health reports them.
    ///   - disabled: names of engines switched off in the config (reported as disabled).
    public init(engines: [any Engine], disabled: [String] = []) {
        var s: [String: Slot] = [:]
        for e in engines { s[e.name] = Slot(engine: e) }
        slots = Mutex(s)
        order = engines.map(\.name)
        self.disabled = disabled.filter { s[$0] == nil }
    }

    /// An empty registry: every engine command answers `unavailable`.
    public static let none = EngineRegistry(engines: [])

    /// Names of the enabled engines.
    public var names: [String] { order }

    /// The engine called `name`, when enabled.
    public func engine(named name: String) -> (any Engine)? { slots.withLock { $0[name]?.engine } }

    /// Starts every engine; one that throws is recorded and left down.
    /// - Parameter callTimeout: seconds an engine call may take before it counts as failed.
    public func start(_ context: EngineContext, callTimeout: Double = 10) async {
        for name in order {
            guard let engine = engine(named: name) else { continue }
            let breaker = context.breaker("engine.\(name)", failureThreshold: 5, openInterval: 5, callTimeout: callTimeout)
            do {
                try await engine.start(context)
                slots.withLock { $0[name]?.breaker = breaker; $0[name]?.running = true }
                running.withLock { $0.append(engine) }
                context.log(.info, "engine_started", [("engine", name)])
            } catch {
                slots.withLock { $0[name]?.breaker = breaker; $0[name]?.startError = "\(error)" }
                context.log(.error, "engine_start_failed", [("engine", name), ("reason", "\(error)")])
            }
        }
    }

    /// Stops every running engine.
    public func stop() async {
        let stopping = running.withLock { r -> [any Engine] in
            defer { r.removeAll() }
            return r
        }
        for e in stopping { await e.stop() }
        slots.withLock { s in for k in s.keys { s[k]?.running = false } }
    }

    /// Runs one call on engine `name`.
    public func call(_ name: String, _ call: EngineCall) async -> Result<EngineReply, EngineError> {
        let slot = slots.withLock { $0[name] }
        guard let slot else {
            if disabled.contains(name) { return .failure(EngineError(.unavailable, "engine \(name) is disabled")) }
            return .failure(EngineError(.notFound, "no engine \"\(name)\""))
        }
        guard slot.running, let breaker = slot.breaker else {
            return .failure(EngineError(.unavailable, "engine \(name) is not running" + (slot.startError.map { ": \($0)" } ?? "")))
        }
        guard slot.engine.actions.contains(call.action) else {
            let known = slot.engine.actions.sorted().joined(separator: ", ")
            return .failure(EngineError(.badRequest, "engine \(name) has no action \"\(call.action)\" (it has: \(known))"))
        }
        let engine = slot.engine
        do {
            // A refusal that is the caller's fault is a success for the breaker.
            return try await breaker.call { () async throws -> Result<EngineReply, EngineError> in
                do {
                    return .success(try await engine.handle(call))
                } catch let e as EngineError where !e.code.isEngineFailure {
                    return .failure(e)
                }
            }
        } catch let e as EngineError {
            return .failure(e)
        } catch {
            return .failure(EngineError(.unavailable, "engine \(name): \(error)"))
        }
    }

    /// A publication the hub accepted on a namespace with `rules` (called on a loop thread).
    public func published(_ p: Publication, rules: NamespaceRules) {
        for e in runningEngines() where e.observes(rules) { e.observe(p) }
    }

    /// A user's authenticated connection became ready (called on a loop thread).
    public func userConnected(_ user: String) {
        for e in runningEngines() { e.userConnected(user) }
    }

    /// A connection announced through `userConnected` closed (called on a loop thread).
    public func userDisconnected(_ user: String) {
        for e in runningEngines() { e.userDisconnected(user) }
    }

    private func runningEngines() -> [any Engine] { running.withLock { $0 } }

    /// Every engine, enabled ones first in their order, then the disabled ones.
    public func reports() -> [Report] {
        let s = slots.withLock { $0 }
        var out: [Report] = []
        for name in order {
            guard let slot = s[name] else { continue }
            out.append(Report(name: name, enabled: true, running: slot.running, breaker: slot.breaker?.stateName,
                              health: slot.running ? slot.engine.health() : nil, startError: slot.startError))
        }
        for name in disabled {
            out.append(Report(name: name, enabled: false, running: false, breaker: nil, health: nil, startError: nil))
        }
        return out
    }
}

import Broadcast

/// A producer of derived streams (ENGINES.md): it owns a topic namespace, answers
/// `{"op":"engine","engine":NAME,"action":…,"args":…}` commands, and publishes through the bus
/// like any client. The hub calls it through `EngineRegistry`, which wraps every call in the
/// engine's circuit breaker and a timeout, so a failing engine never takes the hub with it.
///
/// Engines live off the event loops: `handle` runs on the hub's executor, and `observe` /
/// `userConnected` are called from a loop thread and must only enqueue (never block).
public protocol Engine: AnyObject, Sendable {
    /// The engine's name in commands, config, health and metrics (`mirror`, `telepathy`, `dream`).
    var name: String { get }
    /// The topic namespace it publishes into (`mirror`, `dream`), nil when it owns none.
    var namespace: String? { get }
    /// The actions `engine` commands may name; others are refused with `bad_request`.
    var actions: Set<String> { get }
    /// Gets the engine going (load data, open storage, schedule its tasks). A throw leaves the
    /// engine down (its health says why) and the hub serving.
    func start(_ context: EngineContext) async throws
    /// Stops producing; called once at shutdown.
    func stop() async
    /// Answers one command. Throw `EngineError` for a refusal the caller should see as is
    /// (it does not count against the breaker unless its code is `internal`/`unavailable`).
    func handle(_ call: EngineCall) async throws -> EngineReply
    /// The engine's health for `/health/ai`.
    func health() -> EngineHealth
    /// Whether publications on a namespace with these rules go to `observe`.
    func observes(_ rules: NamespaceRules) -> Bool
    /// A publication on an observed namespace (called on a loop thread: enqueue only).
    func observe(_ publication: Publication)
    /// A user's authenticated connection became ready (called on a loop thread: enqueue only).
    func userConnected(_ user: String)
    /// A connection announced by `userConnected` closed (called on a loop thread: enqueue only).
    func userDisconnected(_ user: String)
}

extension Engine {
    public var namespace: String? { nil }
    public func stop() async {}
    public func observes(_ rules: NamespaceRules) -> Bool { false }
    public func observe(_ publication: Publication) {}
    public func userConnected(_ user: String) {}
    public func userDisconnected(_ user: String) {}
}

/// One `engine` command (or an HTTP API call) addressed to an engine.
public struct EngineCall: Sendable {
    /// The action (`start`, `stop`, `send`, `ack`, `profile`, …).
    public var action: String
    /// The raw JSON of `args` (an object), nil when absent.
    public var args: [UInt8]?
    /// Who asks.
    public var caller: EngineCaller

    public init(action: String, args: [UInt8]?, caller: EngineCaller) {
        self.action = action
        self.args = args
        self.caller = caller
    }
}

/// Who sent an engine call: a connection's identity, or the HTTP API (an admin or API token).
public struct EngineCaller: Sendable, Equatable {
    /// The connection's public name (`c-…`), or `api` for the HTTP API.
    public var client: String
    /// The authenticated user, nil for anonymous clients.
    public var user: String?
    /// An operator: admin tokens and API tokens.
    public var isAdmin: Bool

    public init(client: String, user: String?, isAdmin: Bool) {
        self.client = client
        self.user = user
        self.isAdmin = isAdmin
    }
}

/// An engine's answer: the JSON object that becomes the reply's `result`, byte for byte.
public struct EngineReply: Sendable, Equatable {
    /// A JSON object, e.g. `{"stream":"d-1","topic":"dream.d-1"}`.
    public var json: [UInt8]

    public init(json: [UInt8]) { self.json = json }
    /// The empty result `{}`.
    public static let empty = EngineReply(json: Array("{}".utf8))
}

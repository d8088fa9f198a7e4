import Broadcast

/// One client command of protocol v1 (PROTOCOL.md "Commands"), as read from a text frame by
/// `Command.parse` and checked per op by `validate()`.
///
/// Short fields are `String`s; `data` and `args` stay the client's exact bytes (slices of the
/// frame's array, no copy) so pushes splice them in unchanged (ARCHITECTURE.md decision 5).
struct Command: Equatable, Sendable {
    /// The `op` as sent.
    var op: String
    /// Which known op `op` names.
    var kind: CommandKind
    /// The client's request id, 1 … 2^53 − 1; a reply echoing it is expected when present.
    var id: Int?
    /// A topic name, already checked against `[A-Za-z0-9_.:@-]{1,128}`.
    var topic: String?
    /// Any JSON value, as the exact bytes the client sent (no surrounding whitespace); indices are
    /// those of the parsed array.
    var data: ArraySlice<UInt8>?
    /// Where a subscribe resumes (`subscribe` with recovery).
    var recover: StreamPosition?
    /// Where a history read starts (`history`).
    var since: StreamPosition?
    /// The newest N publications a history read returns, N ≥ 1.
    var limit: Int?
    /// A token (`auth`).
    var token: String?
    /// The recipient user id (`send`).
    var to: String?
    /// The idempotency key (`send`).
    var key: String?
    /// A direct message id (`ack`).
    var message: String?
    /// An engine name (`engine`).
    var engine: String?
    /// An engine or admin action (`engine`, `admin`).
    var action: String?
    /// An object of arguments, as the exact bytes the client sent (`engine`, `admin`).
    var args: ArraySlice<UInt8>?

    /// A command with `kind` derived from `op`; every other field defaults to absent.
    init(
        op: String, id: Int? = nil, topic: String? = nil, data: ArraySlice<UInt8>? = nil,
        recover: StreamPosition? = nil, since: StreamPosition? = nil, limit: Int? = nil,
        token: String? = nil, to: String? = nil, key: String? = nil, message: String? = nil,
        engine: String? = nil, action: String? = nil, args: ArraySlice<UInt8>? = nil
    ) {
        self.init(
            op: op, kind: CommandKind(op: op), id: id, topic: topic, data: data, recover: recover, since: since,
            limit: limit, token: token, to: to, key: key, message: message, engine: engine, action: action, args: args)
    }

    /// A command whose `kind` the caller already knows to match `op` (the parser, from the bytes).
    init(
        op: String, kind: CommandKind, id: Int?, topic: String?, data: ArraySlice<UInt8>?,
        recover: StreamPosition?, since: StreamPosition?, limit: Int?, token: String?, to: String?,
        key: String?, message: String?, engine: String?, action: String?, args: ArraySlice<UInt8>?
    ) {
        self.op = op
        self.kind = kind
        self.id = id
        self.topic = topic
        self.data = data
        self.recover = recover
        self.since = since
        self.limit = limit
        self.token = token
        self.to = to
        self.key = key
        self.message = message
        self.engine = engine
        self.action = action
        self.args = args
    }
}

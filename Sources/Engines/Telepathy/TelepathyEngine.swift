import Broadcast
import Glibc
import Synchronization

/// Direct user-to-user messages that are never lost ("digital telepathy", docs/engines/telepathy.md).
///
/// `send` writes the message to the durable mailbox (`MailboxStorage`, SQLite in the hub) and
/// only then answers `{"message":"m-…"}`; a message the sender got an id for survives a crash.
/// The recipient's `/ws/auth` connections are subscribed to `user.<id>` by the hub; when one is
/// (`userConnected`), every unacked message of that user is published there again, in mailbox
/// order (which is each sender's order), and new messages follow as they are stored. `ack`
/// (the recipient's only) ends a message's deliveries. Delivery is at least once: a message
/// pushed to a connection that dies before its ack comes again at the next connection.
///
/// One delivery task publishes everything on `user.*`, one event at a time, through one bus
/// port: so pushes leave in mailbox order, and a redelivery on connect never overtakes or
/// interleaves with a live delivery. Per user it keeps a cursor (the last sequence number
/// pushed to this round of connections) and a window of pushed-but-unacked bytes.
public final class TelepathyEngine: Engine {
    public let name = "telepathy"
    public let actions: Set<String> = ["send", "ack", "presence"]
    /// The background task that drops expired messages.
    public static let expiryTaskName = "telepathy_mailbox_expiry"
    /// The circuit breaker around mailbox writes (`send`, `ack`).
    public static let writeBreakerName = "sqlite_mailbox"
    /// Most bytes in a user id (`user.<id>` must stay a valid topic name of 128 bytes).
    public static let maxUserBytes = 123
    /// Most bytes in an idempotency key.
    public static let maxKeyBytes = 256
    /// Messages read from the mailbox per query while delivering.
    static let batch = 128

    private let storage: any MailboxStorage
    private let settings: TelepathySettings
    private let clock: @Sendable () -> Int64

    /// What the delivery task is asked to do, in order.
    enum Event: Sendable {
        /// A connection of the user is subscribed to `user.<id>`: deliver every unacked message.
        case connected(String)
        /// A connection of the user closed.
        case disconnected(String)
        /// New messages may be waiting for an online user.
        case pump(String)
        /// The user acked the message with this sequence number.
        case acked(String, Int64)
    }

    private struct State {
        var context: EngineContext?
        var events: AsyncStream<Event>.Continuation?
        /// Open, announced connections per user.
        var online: [String: Int] = [:]
        /// Users with a `pump` event queued (one is enough).
        var queued: Set<String> = []
        var stored = 0, delivered = 0, acked = 0, duplicates = 0, refused = 0, expired = 0
        var pending = 0
        var lastError: String?
        var storageFailing = false
        /// The `sqlite_mailbox` breaker around mailbox writes (nil before `start`).
        var writes: (any CallGuard)?
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - storage: the durable mailbox.
    ///   - clock: Unix milliseconds (tests move it).
    public init(storage: any MailboxStorage, settings: TelepathySettings = TelepathySettings(),
                clock: @escaping @Sendable () -> Int64 = TelepathyEngine.unixMs) {
        self.storage = storage
        self.settings = settings
        self.clock = clock
    }

    /// The wall clock in Unix milliseconds.
    @Sendable public static func unixMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    // MARK: - Engine

    public func start(_ context: EngineContext) async throws {
        let pending = try await storage.pendingMessageCount()
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
        // Mailbox writes go through a breaker of their own: a store that keeps failing (disk
        // full, locked, I/O errors) answers `unavailable` at once instead of queueing sends.
        let writes = context.breaker(Self.writeBreakerName, failureThreshold: 5, openInterval: 5, callTimeout: 5)
        state.withLock {
            $0.context = context
            $0.events = continuation
            $0.pending = pending
            $0.writes = writes
        }
        let engine = self
        Task.onHub { await TelepathyEngine.runDeliveries(stream, engine: engine, context: context) }
        context.schedule(Self.expiryTaskName, every: settings.expiryInterval) { try await engine.expire() }
    }

    public func stop() async {
        let events = state.withLock { s -> AsyncStream<Event>.Continuation? in
            defer { s.events = nil }
            return s.events
        }
        events?.finish()
    }

    public func handle(_ call: EngineCall) async throws -> EngineReply {
        switch call.action {
        case "send": return try await send(call)
        case "ack": return try await ack(call)
        case "presence": return try presence(call)
        default: throw EngineError(.badRequest, "telepathy has no action \"\(call.action)\"")
        }
    }

    public func health() -> EngineHealth {
        state.withLock { s in
            EngineHealth(status: s.storageFailing ? .degraded : .ok, processed: s.stored, lastError: s.lastError,
                         details: [("pending", .int(s.pending)), ("online_users", .int(s.online.count)),
                                   ("delivered", .int(s.delivered)), ("acked", .int(s.acked)),
                                   ("duplicates", .int(s.duplicates)), ("refused", .int(s.refused)),
                                   ("expired", .int(s.expired))])
        }
    }

    public func userConnected(_ user: String) {
        state.withLock { s in
            s.online[user, default: 0] += 1
            s.events?.yield(.connected(user))
        }
    }

    public func userDisconnected(_ user: String) {
        state.withLock { s in
            guard let n = s.online[user] else { return }
            s.online[user] = n > 1 ? n - 1 : nil
            s.events?.yield(.disconnected(user))
        }
    }

    /// Whether `user` has an announced connection open.
    public func isOnline(_ user: String) -> Bool { state.withLock { $0.online[user] != nil } }

    // MARK: - Actions

    /// `send` `{"to","data","key"?}` (and `"from"` from operators: the HTTP API).
    private func send(_ call: EngineCall) async throws -> EngineReply {
        guard var sender = call.caller.user else {
            throw EngineError(.unauthorized, "only authenticated users may send direct messages (use /ws/auth)")
        }
        let args = try Self.arguments(call)
        let to = try Self.user(args, "to", required: true)!
        guard let data = args["data"] else { throw EngineError(.badRequest, #"missing "data""#) }
        var key: String?
        if let raw = args["key"] {
            guard let k = EngineJSON.string(raw), !k.isEmpty, k.utf8.count <= Self.maxKeyBytes else {
                throw EngineError(.badRequest, #""key" must be a string of 1 to \#(Self.maxKeyBytes) bytes"#)
            }
            key = k
        }
        if args["from"] != nil {
            guard call.caller.isAdmin else { throw EngineError(.forbidden, #"only operators may set "from""#) }
            sender = try Self.user(args, "from", required: true)!
        }
        guard data.count <= settings.maxDataBytes else {
            throw EngineError(.tooLarge, "data of \(data.count) bytes is over the \(settings.maxDataBytes)-byte limit")
        }
        let storage = self.storage, id = Self.newMessageID(), now = clock(), max = settings.maxPending, bytes = Array(data)
        let from = sender, idempotency = key
        let result = try await write("telepathy_store_failed", "storing a message for \(to)") {
            try await storage.storeMessage(id: id, from: from, to: to, key: idempotency, data: bytes, nowMs: now, maxPending: max)
        }
        switch result {
        case .stored(let m):
            state.withLock { s in
                s.stored += 1
                s.pending += 1
                // Offline recipients get it at their next connection (`connected`).
                if s.online[to] != nil, s.queued.insert(to).inserted { s.events?.yield(.pump(to)) }
            }
            return EngineReply(json: Array(#"{"message":"#.utf8) + EngineJSON.quoted(m.id) + [UInt8(ascii: "}")])
        case .duplicate(let id):
            state.withLock { $0.duplicates += 1 }
            return EngineReply(json: Array(#"{"message":"#.utf8) + EngineJSON.quoted(id) + Array(#","duplicate":true}"#.utf8))
        case .full(let pending):
            state.withLock { $0.refused += 1 }
            let message = "the mailbox of \(to) is full: \(pending) unacked messages (telepathy_max_pending)"
            log(.warning, "telepathy_mailbox_full", [("to", to), ("pending", String(pending))])
            throw EngineError(.tooLarge, message)
        }
    }

    /// A mailbox write through the `sqlite_mailbox` breaker (directly before `start`): a failure
    /// (the store's, or the open breaker's) is logged as `event`, shown in health and answered
    /// `unavailable` ("<what> failed: …"); a success clears the failing state.
    private func write<T: Sendable>(_ event: String, _ what: @autoclosure () -> String,
                                    _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            let value: T
            if let writes = state.withLock({ $0.writes }) { value = try await writes.call(body) } else { value = try await body() }
            recovered()
            return value
        } catch {
            throw failed(event, "\(what()) failed: \(error)")
        }
    }

    /// `ack` `{"message":"m-…"}`: only the recipient's own messages.
    private func ack(_ call: EngineCall) async throws -> EngineReply {
        guard let user = call.caller.user else { throw EngineError(.unauthorized, "only authenticated users may ack") }
        let args = try Self.arguments(call)
        guard let raw = args["message"], let id = EngineJSON.string(raw), !id.isEmpty else {
            throw EngineError(.badRequest, #""message" must be a message id string"#)
        }
        let storage = self.storage, now = clock()
        let result = try await write("telepathy_ack_failed", "acking \(id)") {
            try await storage.ackMessage(id, recipient: user, nowMs: now)
        }
        switch result {
        case .acked(let seq):
            state.withLock { s in
                s.acked += 1
                s.pending = max(0, s.pending - 1)
                s.events?.yield(.acked(user, seq))
            }
            return .empty
        case .alreadyAcked:
            return .empty
        case .notFound:
            throw EngineError(.notFound, "no message \(id) for \(user)")
        }
    }

    /// `presence` `{"user":"bob"}` → `{"user":"bob","online":true|false}`.
    private func presence(_ call: EngineCall) throws -> EngineReply {
        guard call.caller.user != nil || call.caller.isAdmin else {
            throw EngineError(.unauthorized, "only authenticated users may ask for presence")
        }
        let user = try Self.user(try Self.arguments(call), "user", required: true)!
        let online = isOnline(user)
        return EngineReply(json: Array(#"{"user":"#.utf8) + EngineJSON.quoted(user)
                           + Array(#","online":\#(online)}"#.utf8))
    }

    // MARK: - Expiry

    /// The `telepathy_mailbox_expiry` task: drops messages older than the expiry, acked or not.
    func expire() async throws {
        let cutoff = clock() - Int64(settings.expiry * 1000)
        do {
            let removed = try await storage.expireMessages(createdBefore: cutoff)
            let pending = try await storage.pendingMessageCount()
            recovered()
            state.withLock { s in
                s.expired += removed
                s.pending = pending
            }
            if removed > 0 { log(.info, "telepathy_expired", [("removed", String(removed))]) }
        } catch {
            throw failed("telepathy_expiry_failed", "expiring messages failed: \(error)")
        }
    }

    // MARK: - Delivery

    /// One user's delivery round, from the delivery task only.
    struct Line {
        /// The last sequence number pushed to this round of connections.
        var cursor: Int64 = 0
        /// Pushed, not yet acked: sequence number → push bytes.
        var inflight: [Int64: Int] = [:]
        var inflightBytes = 0
    }

    /// The delivery task: one event at a time, so `user.*` publications leave in mailbox order.
    static func runDeliveries(_ events: AsyncStream<Event>, engine: TelepathyEngine, context: EngineContext) async {
        var lines: [String: Line] = [:]
        for await event in events {
            switch event {
            case .connected(let user):
                var line = Line()
                await engine.deliver(to: user, &line, context)
                lines[user] = line
            case .disconnected(let user):
                if !engine.isOnline(user) { lines[user] = nil }
            case .pump(let user):
                engine.state.withLock { _ = $0.queued.remove(user) }
                guard var line = lines[user] else { continue }
                await engine.deliver(to: user, &line, context)
                lines[user] = line
            case .acked(let user, let seq):
                guard var line = lines[user] else { continue }
                if let bytes = line.inflight.removeValue(forKey: seq) { line.inflightBytes -= bytes }
                await engine.deliver(to: user, &line, context)
                lines[user] = line
            }
        }
    }

    /// Publishes `user`'s unacked messages after the line's cursor, in order, while the window
    /// has room (always at least one message).
    private func deliver(to user: String, _ line: inout Line, _ context: EngineContext) async {
        let topic = "user." + user
        while isOnline(user) {
            if !line.inflight.isEmpty && line.inflightBytes >= settings.windowBytes { return }
            let messages: [MailboxMessage]
            do {
                messages = try await storage.pendingMessages(for: user, after: line.cursor, limit: Self.batch)
                recovered()
            } catch {
                _ = failed("telepathy_read_failed", "reading the mailbox of \(user) failed: \(error)")
                return
            }
            for m in messages {
                if !line.inflight.isEmpty && line.inflightBytes >= settings.windowBytes { return }
                let extra = Self.pushMembers(m)
                let engine = self
                context.publishInOrder(topic: topic, data: m.data, extra: extra) { result in
                    if case .failure(let e) = result {
                        _ = engine.failed("telepathy_publish_failed", "publishing on \(topic) failed: \(e)", storage: false)
                    }
                }
                let bytes = m.data.count + extra.count + topic.utf8.count + 40
                line.cursor = m.seq
                line.inflight[m.seq] = bytes
                line.inflightBytes += bytes
                state.withLock { $0.delivered += 1 }
            }
            if messages.count < Self.batch { return }
        }
    }

    /// `"message":"m-…","from":{"user":"alice"}`: what a direct-message push carries besides
    /// its topic, offset and data.
    static func pushMembers(_ m: MailboxMessage) -> [UInt8] {
        Array(#""message":"#.utf8) + EngineJSON.quoted(m.id) + Array(#","from":{"user":"#.utf8)
            + EngineJSON.quoted(m.from) + [UInt8(ascii: "}")]
    }

    // MARK: - Helpers

    private static func arguments(_ call: EngineCall) throws -> [String: ArraySlice<UInt8>] {
        guard let args = call.args else { return [:] }
        guard let members = EngineJSON.members(args) else { throw EngineError(.badRequest, #""args" must be an object"#) }
        return members
    }

    /// A user id argument: 1 to 123 bytes of `[A-Za-z0-9_.:@-]` (so `user.<id>` is a topic).
    private static func user(_ args: [String: ArraySlice<UInt8>], _ name: String, required: Bool) throws -> String? {
        guard let raw = args[name] else {
            if required { throw EngineError(.badRequest, "missing \"\(name)\"") }
            return nil
        }
        guard let id = EngineJSON.string(raw) else { throw EngineError(.badRequest, "\"\(name)\" must be a user id string") }
        guard isValidUser(id) else {
            throw EngineError(.badRequest, "\"\(name)\" must be a user id of 1 to \(maxUserBytes) characters from [A-Za-z0-9_.:@-]")
        }
        return id
    }

    /// Whether `id` can be a recipient: `user.<id>` is a valid topic name.
    public static func isValidUser(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= maxUserBytes else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") || b == UInt8(ascii: "@")
                || b == UInt8(ascii: "-")
        }
    }

    /// `m-` and 16 random hex digits.
    static func newMessageID() -> String {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "m-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    private func log(_ level: EngineContext.LogLevel, _ event: String, _ fields: [(String, String)]) {
        state.withLock { $0.context }?.log(level, event, fields)
    }

    /// Records a storage failure (health, log) and returns the error the caller sees.
    private func failed(_ event: String, _ message: String, storage: Bool = true) -> EngineError {
        state.withLock { s in
            s.lastError = message
            if storage { s.storageFailing = true }
        }
        log(.error, event, [("reason", message)])
        return EngineError(.unavailable, message)
    }

    private func recovered() {
        state.withLock { $0.storageFailing = false }
    }
}

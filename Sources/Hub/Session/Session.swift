import Broadcast
import Engines
import Glibc
import WSProtocol

/// One protocol-v1 client (`/ws`): decodes its commands, enforces its limits, talks to the bus
/// through its loop's port, and answers (PROTOCOL.md "Commands").
///
/// Lives on the connection's loop thread. Replies that need the bus come back through the loop's
/// mailbox; subscription outcomes come through the bus sink, in order with the topic's
/// publications.
final class Session: ConnectionHandler {
    /// Which endpoint the client came in by, which decides how it gets an identity.
    enum Endpoint: Sendable {
        /// `/ws`: anonymous.
        case anonymous
        /// `/ws/auth`: a user token.
        case user
        /// `/ws/admin`: an admin token.
        case admin
    }

    let settings: SessionSettings
    let endpoint: Endpoint
    /// The token that came with the handshake, until it is checked.
    private var handshakeToken: String?
    private(set) var identity = ClientIdentity(client: "")
    /// The verified token's identity (nil on `/ws`, or until verified).
    private(set) var auth: AuthIdentity?
    /// The token in use, kept to re-check it when tokens are revoked (never logged).
    private var token: String?
    /// The welcome was sent: commands are served.
    private(set) var ready = false
    /// Topics subscribed or being subscribed.
    private(set) var topics: Set<String> = []
    private var bucket: TokenBucket?
    private var strikes = 0
    /// `user.<id>` was subscribed without asking on `/ws/auth` (direct messages arrive there).
    /// A flag, not the topic: idle connections must stay small (the topic is in `topics`).
    private var autoSubscribedUserTopic = false
    /// `engines.userConnected` was called for this connection (so `userDisconnected` is due).
    private var announcedUser = false
    /// This connection's `send`s and `ack`s, run in order (made at the first one).
    private var orderedCalls: EngineCallQueue?

    init(settings: SessionSettings, info: HandshakeInfo, endpoint: Endpoint = .anonymous) {
        self.settings = settings
        self.handshakeToken = info.token
        self.endpoint = endpoint
    }

    // MARK: - ConnectionHandler

    func connectionOpened(_ c: Connection) {
        identity = ClientIdentity(client: Self.clientName(c.id), user: nil)
        bucket = TokenBucket(rate: settings.rate, burst: settings.burst, now: c.loop.now)
        guard endpoint != .anonymous else {
            becomeReady(c)
            return
        }
        if let token = handshakeToken {
            handshakeToken = nil
            verify(token, c, replyTo: nil)
        }
        // Without a token in the handshake: the first `auth` command, within the auth timeout.
        c.setHandlerDeadline(c.loop.now + settings.authTimeoutMs)
    }

    func deadlineReached(_ c: Connection) {
        if !ready {
            c.loop.metrics.authFailure()
            c.close(.unauthorized, reason: "authentication timeout")
        } else if let exp = sessionExpiry, Self.unixNow() >= exp {
            c.close(.unauthorized, reason: "token expired")
        } else {
            scheduleExpiry(c)
        }
    }

    /// Sends the welcome push; from now on commands are served (PROTOCOL.md: the welcome comes
    /// once the identity is known).
    private func becomeReady(_ c: Connection) {
        ready = true
        c.send(.text, ReplyEncoder.welcome(client: identity.client, user: identity.user, node: settings.node,
                                          ping: settings.pingSeconds))
        if endpoint == .admin {
            // The admin stream: snapshots arrive without subscribing.
            topics.insert(AdminStream.topic)
            c.loop.busPort.subscribe(c.id, identity: identity, topic: AdminStream.topic, recover: nil, requestID: nil)
        }
        subscribeUserTopic(c)
    }

    /// A user's own `user.<id>`, without asking (unless the token's topic patterns exclude it);
    /// once the bus has it, the engines hear of the user (`subscribed`), so telepathy's
    /// redelivery is pushed to this connection too.
    private func subscribeUserTopic(_ c: Connection) {
        guard endpoint == .user, let user = identity.user else { return }
        let topic = "user." + user
        guard TopicName.isValid(topic), auth?.allows(topic: topic) != false else { return }
        autoSubscribedUserTopic = true
        topics.insert(topic)
        c.loop.busPort.subscribe(c.id, identity: identity, topic: topic, recover: nil, requestID: nil)
    }

    /// Checks a token (from the handshake, `replyTo` nil, or an `auth` command) off the loop and
    /// comes back on it: the identity is taken, or the connection is closed with 4401.
    private func verify(_ token: String, _ c: Connection, replyTo id: Int?) {
        let verifier = settings.verifier, loop = c.loop, cid = c.id
        Task.onHub {
            let result = await verifier.verify(token)
            loop.post(.run { loop in
                guard let c = loop.connection(id: cid), let s = c.handler as? Session else { return }
                s.verified(result, token: token, c, replyTo: id)
            })
        }
    }

    private func verified(_ result: Result<AuthIdentity, AuthFailure>, token: String, _ c: Connection, replyTo id: Int?) {
        guard !c.sentClose else { return }
        switch result {
        case .failure(let f):
            c.loop.metrics.authFailure()
            c.loop.router.authFailures.recordFailure(from: c.remoteAddress)
            c.close(.unauthorized, reason: f.reason)
        case .success(let a):
            if endpoint == .admin && !a.isAdmin {
                c.loop.metrics.authFailure()
                c.loop.router.authFailures.recordFailure(from: c.remoteAddress)
                c.close(.unauthorized, reason: "not an admin token")
                return
            }
            if let current = auth, current.user != a.user {
                reply(c, .failure(CommandError(code: .forbidden, message: "the token is for another user", id: id)))
                return
            }
            auth = a
            self.token = token
            identity = ClientIdentity(client: identity.client, user: a.user, isAdmin: a.isAdmin)
            if let id {
                c.send(.text, ReplyEncoder.result(id: id) { body in
                    body.string("user", a.user)
                    if let exp = a.expiresAt { body.int("expires", Int(exp)) } else { body.null("expires") }
                })
            }
            if !ready { becomeReady(c) }
            scheduleExpiry(c)
        }
    }

    /// When the session's token stops being accepted (Unix seconds): a stored token's expiry, a
    /// JWT's `exp` plus the leeway the verifier allows (else a JWT accepted within the leeway
    /// would be closed right after its welcome).
    private var sessionExpiry: Int64? {
        guard let a = auth, let exp = a.expiresAt else { return nil }
        return a.tokenID == nil ? exp + settings.jwtLeeway : exp
    }

    /// Closes with 4401 when the token expires (unless an `auth` refreshes it first).
    private func scheduleExpiry(_ c: Connection) {
        guard let exp = sessionExpiry else { c.setHandlerDeadline(nil); return }
        let left = max(0, exp - Self.unixNow())
        c.setHandlerDeadline(c.loop.now + UInt64(left) * 1000)
    }

    /// Tokens were revoked somewhere: check ours again.
    func recheckToken(_ c: Connection) {
        guard let token, auth?.tokenID != nil else { return }
        let verifier = settings.verifier, loop = c.loop, cid = c.id
        Task.onHub {
            let result = await verifier.verify(token)
            guard case .failure(let f) = result else { return }
            loop.post(.run { loop in
                guard let c = loop.connection(id: cid) else { return }
                c.close(.unauthorized, reason: f.reason)
            })
        }
    }

    static func unixNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    func connection(_ c: Connection, received opcode: WebSocketOpcode, _ payload: [UInt8]) {
        guard opcode == .text else {
            c.close(.unsupportedData, reason: "binary frames are not used in protocol v1")
            return
        }
        c.loop.metrics.commandReceived()
        if payload.count > settings.maxCommandBytes {
            c.loop.metrics.limitTripped(.commandSize)
            reply(c, .failure(CommandError(code: .tooLarge, message: "command over \(settings.maxCommandBytes) bytes", id: nil)))
            return
        }
        let command: Command
        switch Command.decode(payload) {
        case .failure(let error):
            reply(c, .failure(error))
            return
        case .success(let decoded):
            command = decoded
        }
        if bucket?.take(now: c.loop.now) == false {
            strikes += 1
            c.loop.metrics.limitTripped(.rate)
            if strikes >= settings.strikes {
                c.close(.rateLimited, reason: "rate limited")
            } else {
                reply(c, .failure(CommandError(code: .rateLimited, message: "over \(Int(settings.rate)) commands/s", id: command.id)))
            }
            return
        }
        strikes = 0
        if let error = command.validate() {
            reply(c, .failure(error))
            return
        }
        if command.kind == .auth {
            guard endpoint != .anonymous else {
                return reply(c, .failure(CommandError(code: .badRequest, message: "auth is for /ws/auth and /ws/admin", id: command.id)))
            }
            verify(command.token!, c, replyTo: command.id)
            return
        }
        guard ready else {
            return reply(c, .failure(CommandError(code: .unauthorized, message: "authenticate first (auth command)", id: command.id)))
        }
        execute(command, c)
    }

    func connectionClosed(_ c: Connection) {
        orderedCalls?.finish()
        if announcedUser, let user = identity.user { settings.engines.userDisconnected(user) }
        for topic in topics {
            c.loop.removeLocal(c, from: topic)
            c.loop.busPort.unsubscribe(c.id, topic: topic)
        }
        topics.removeAll()
    }

    // MARK: - Commands

    private func execute(_ cmd: Command, _ c: Connection) {
        switch cmd.kind {
        case .ping:
            if let id = cmd.id { c.send(.text, ReplyEncoder.result(id: id)) }
        case .subscribe:
            subscribe(cmd, c)
        case .unsubscribe:
            let topic = cmd.topic!
            if topics.remove(topic) != nil {
                c.loop.removeLocal(c, from: topic)
                c.loop.busPort.unsubscribe(c.id, topic: topic)
            }
            if let id = cmd.id { c.send(.text, ReplyEncoder.result(id: id)) }
        case .publish:
            publish(cmd, c)
        case .history:
            history(cmd, c)
        case .presence:
            presence(cmd, c)
        case .admin:
            guard identity.isAdmin else {
                return reply(c, .failure(CommandError(code: .forbidden, message: "admin commands need an admin identity", id: cmd.id)))
            }
            AdminCommands.execute(cmd, from: c)
        case .engine:
            callEngine(cmd.engine!, action: cmd.action!, args: cmd.args.map(Array.init), id: cmd.id, c)
        case .send:
            // Direct messages are the telepathy engine's: `send` is its `send` action.
            var args = JSONObjectWriter()
            args.string("to", cmd.to!)
            args.raw("data", cmd.data!)
            if let key = cmd.key { args.string("key", key) }
            callEngine("telepathy", action: "send", args: args.finish(), id: cmd.id, c, ordered: true)
        case .ack:
            var args = JSONObjectWriter()
            args.string("message", cmd.message!)
            callEngine("telepathy", action: "ack", args: args.finish(), id: cmd.id, c, ordered: true)
        case .auth:
            reply(c, .failure(CommandError(code: .unavailable, message: "\(cmd.op) is not available on this endpoint", id: cmd.id)))
        case .unknown(let op):
            reply(c, .failure(CommandError(code: .badRequest, message: "unknown op \"\(op)\"", id: cmd.id)))
        }
    }

    /// Runs an engine call off the loop and answers on it (`{"id":…,"result":<the engine's
    /// object>}` or the engine's error). `ordered` calls run one after another, in the order
    /// this connection sent them (`EngineCallQueue`).
    private func callEngine(_ name: String, action: String, args: [UInt8]?, id: Int?, _ c: Connection, ordered: Bool = false) {
        let engines = settings.engines, loop = c.loop, cid = c.id
        let call = EngineCall(action: action, args: args,
                              caller: EngineCaller(client: identity.client, user: identity.user, isAdmin: identity.isAdmin))
        if ordered {
            if orderedCalls == nil { orderedCalls = EngineCallQueue() }
            let queue = orderedCalls!
            let admitted = queue.enqueue(bytes: args?.count ?? 0) {
                await Session.runEngineCall(engines, name, call, id: id, loop: loop, cid: cid)
            }
            if !admitted {
                c.loop.metrics.limitTripped(.rate)
                reply(c, .failure(CommandError(code: .rateLimited, message: "too many \(action)s waiting to be stored "
                                                   + "(\(queue.maxCalls) or \(queue.maxBytes >> 20) MiB): wait for replies", id: id)))
            }
        } else {
            Task.onHub { await Session.runEngineCall(engines, name, call, id: id, loop: loop, cid: cid) }
        }
    }

    private static func runEngineCall(_ engines: EngineRegistry, _ name: String, _ call: EngineCall, id: Int?,
                                      loop: EventLoop, cid: UInt64) async {
        let result = await engines.call(name, call)
        var frame: [UInt8]?
        var failed = false
        switch result {
        case .success(let r):
            // A successful command without an id gets no reply (PROTOCOL.md).
            if let id { frame = ReplyEncoder.result(id: id, body: r.json) }
        case .failure(let e):
            frame = ReplyEncoder.error(error(e, id: id))
            failed = true
        }
        guard let bytes = frame else { return }
        let countFailure = failed
        loop.post(.run { loop in
            guard let c = loop.connection(id: cid) else { return }
            if countFailure { c.loop.metrics.commandFailed() }
            c.send(.text, bytes)
        })
    }

    static func error(_ e: EngineError, id: Int?) -> CommandError {
        CommandError(code: ErrorCode(rawValue: e.code.rawValue) ?? .internal, message: e.message, id: id)
    }

    /// The namespace rules for a topic if `permission` allows this client, else the error.
    /// Beyond the namespace's rules: `user.<id>` and `mirror.<id>` are readable by that user only (and operators),
    /// and a token restricted to topic patterns allows nothing else.
    private func check(_ topic: String, _ which: KeyPath<NamespaceRules, Permission>, id: Int?) -> Result<NamespaceRules, CommandError> {
        let namespace = TopicName.namespace(of: topic)
        let verb = which == \NamespaceRules.publish ? "publish to" : "subscribe to"
        guard let rules = settings.namespaces.rules(for: topic) else {
            return .failure(CommandError(code: .forbidden, message: "unknown namespace \"\(namespace)\"", id: id))
        }
        var allowed = rules[keyPath: which].allows(identity)
        if allowed, namespace == "user" || namespace == "mirror", !identity.isAdmin {
            // Exactly `user.<id>`: user ids may contain dots, so a sub-topic `user.ann.b` could be
            // user `ann.b`'s own topic and is nobody's but operators'.
            allowed = identity.user.map { topic == "\(namespace).\($0)" } ?? false
        }
        if allowed, let auth, !auth.allows(topic: topic) { allowed = false }
        guard allowed else {
            return .failure(CommandError(code: .forbidden, message: "not allowed to \(verb) \(topic)", id: id))
        }
        return .success(rules)
    }

    private func subscribe(_ cmd: Command, _ c: Connection) {
        let topic = cmd.topic!
        if case .failure(let e) = check(topic, \.subscribe, id: cmd.id) { return reply(c, .failure(e)) }
        if !topics.contains(topic) && topics.count >= settings.maxTopics {
            c.loop.metrics.limitTripped(.topics)
            return reply(c, .failure(CommandError(code: .tooLarge, message: "topic limit reached (\(settings.maxTopics))", id: cmd.id)))
        }
        topics.insert(topic)
        c.loop.busPort.subscribe(c.id, identity: identity, topic: topic, recover: cmd.recover, requestID: cmd.id)
    }

    /// The bus registered a subscription: replay what was missed, then reply (PROTOCOL.md: the
    /// missed publications are pushed before the reply).
    func subscribed(_ o: SubscribeOutcome, _ c: Connection) {
        if topics.contains(o.topic) {
            let already = c.loop.isLocal(c, o.topic)
            c.loop.addLocal(c, to: o.topic)
            if !already {
                for p in o.missed { c.sendEncoded(PushFrames.publication(p)) }
            }
            if autoSubscribedUserTopic, !announcedUser, let user = identity.user, o.topic == "user." + user {
                announcedUser = true
                settings.engines.userConnected(user)
            }
        }
        guard let id = o.requestID else { return }
        c.send(.text, ReplyEncoder.result(id: id) { body in
            body.string("topic", o.topic)
            body.string("epoch", o.position.epoch)
            body.int("offset", Int(o.position.offset))
            if let recovered = o.recovered { body.bool("recovered", recovered) }
        })
    }

    private func publish(_ cmd: Command, _ c: Connection) {
        let topic = cmd.topic!
        let rules: NamespaceRules
        switch check(topic, \.publish, id: cmd.id) {
        case .failure(let e): return reply(c, .failure(e))
        case .success(let r): rules = r
        }
        let id = cmd.id, cid = c.id, loop = c.loop, engines = settings.engines
        c.loop.metrics.published()
        loop.busPort.publish(topic: topic, data: Array(cmd.data!), from: identity) { result in
            // Engines that observe this namespace (mirroring) see what the bus accepted.
            if case .success(let p) = result { engines.published(p, rules: rules) }
            // A successful publish without an id gets no reply (PROTOCOL.md).
            if case .success = result, id == nil { return }
            loop.post(.run { loop in
                guard let c = loop.connection(id: cid), let s = c.handler as? Session else { return }
                switch result {
                case .success(let p): c.send(.text, ReplyEncoder.result(id: id!) { $0.int("offset", Int(p.offset)) })
                case .failure(let e): s.reply(c, .failure(Self.error(e, id: id)))
                }
            })
        }
    }

    private func history(_ cmd: Command, _ c: Connection) {
        let topic = cmd.topic!
        if case .failure(let e) = check(topic, \.subscribe, id: cmd.id) { return reply(c, .failure(e)) }
        let id = cmd.id, cid = c.id, loop = c.loop
        loop.busPort.history(topic: topic, limit: cmd.limit, since: cmd.since) { result in
            loop.post(.run { loop in
                guard let c = loop.connection(id: cid), let s = c.handler as? Session else { return }
                switch result {
                case .failure(let e): s.reply(c, .failure(Self.error(e, id: id)))
                case .success(let h):
                    guard let id else { return }
                    c.send(.text, ReplyEncoder.result(id: id) { body in
                        body.string("epoch", h.position.epoch)
                        body.int("offset", Int(h.position.offset))
                        body.array("publications") { list in
                            for p in h.publications {
                                list.raw(PushFrames.historyEntry(p))
                            }
                        }
                    })
                }
            })
        }
    }

    private func presence(_ cmd: Command, _ c: Connection) {
        let topic = cmd.topic!
        if case .failure(let e) = check(topic, \.subscribe, id: cmd.id) { return reply(c, .failure(e)) }
        let id = cmd.id, cid = c.id, loop = c.loop
        loop.busPort.presence(topic: topic) { result in
            loop.post(.run { loop in
                guard let c = loop.connection(id: cid), let s = c.handler as? Session else { return }
                switch result {
                case .failure(let e): s.reply(c, .failure(Self.error(e, id: id)))
                case .success(let members):
                    guard let id else { return }
                    c.send(.text, ReplyEncoder.result(id: id) { body in
                        body.array("clients") { list in
                            for m in members {
                                list.object { o in
                                    o.string("client", m.client)
                                    o.string("user", m.user)
                                }
                            }
                        }
                        body.int("count", members.count)
                    })
                }
            })
        }
    }

    // MARK: - Replies

    /// Sends an error reply (with the command's id when it had one; PROTOCOL.md: a failed command
    /// without id still gets `{"error":…}`).
    func reply(_ c: Connection, _ result: Result<Never, CommandError>) {
        if case .failure(let e) = result {
            c.loop.metrics.commandFailed()
            c.send(.text, ReplyEncoder.error(e))
        }
    }

    static func error(_ e: BusError, id: Int?) -> CommandError {
        switch e {
        case .unknownNamespace(let ns): return CommandError(code: .forbidden, message: "unknown namespace \"\(ns)\"", id: id)
        case .presenceDisabled: return CommandError(code: .forbidden, message: "presence is off in this namespace", id: id)
        }
    }

    /// The public name of a connection: `c-` and its id in base 36.
    static func clientName(_ id: UInt64) -> String { "c-" + String(id, radix: 36) }
}

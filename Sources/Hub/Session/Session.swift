import Broadcast
import WSProtocol

/// One protocol-v1 client (`/ws`): decodes its commands, enforces its limits, talks to the bus
/// through its loop's port, and answers (PROTOCOL.md "Commands").
///
/// Lives on the connection's loop thread. Replies that need the bus come back through the loop's
/// mailbox; subscription outcomes come through the bus sink, in order with the topic's
/// publications.
final class Session: ConnectionHandler {
    let settings: SessionSettings
    private(set) var identity = ClientIdentity(client: "")
    /// Topics subscribed or being subscribed.
    private(set) var topics: Set<String> = []
    private var bucket: TokenBucket?
    private var strikes = 0

    init(settings: SessionSettings) {
        self.settings = settings
    }

    // MARK: - ConnectionHandler

    func connectionOpened(_ c: Connection) {
        identity = ClientIdentity(client: Self.clientName(c.id), user: nil)
        bucket = TokenBucket(rate: settings.rate, burst: settings.burst, now: c.loop.now)
        c.send(.text, ReplyEncoder.welcome(client: identity.client, user: identity.user, node: settings.node,
                                          ping: settings.pingSeconds))
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
        execute(command, c)
    }

    func connectionClosed(_ c: Connection) {
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
        case .auth, .send, .ack, .engine, .admin:
            reply(c, .failure(CommandError(code: .unavailable, message: "\(cmd.op) is not available on this endpoint", id: cmd.id)))
        case .unknown(let op):
            reply(c, .failure(CommandError(code: .badRequest, message: "unknown op \"\(op)\"", id: cmd.id)))
        }
    }

    /// The namespace rules for a topic if `permission` allows this client, else the error.
    private func check(_ topic: String, _ which: KeyPath<NamespaceRules, Permission>, id: Int?) -> Result<NamespaceRules, CommandError> {
        guard let rules = settings.namespaces.rules(for: topic) else {
            return .failure(CommandError(code: .forbidden, message: "unknown namespace \"\(TopicName.namespace(of: topic))\"", id: id))
        }
        guard rules[keyPath: which].allows(identity) else {
            let verb = which == \NamespaceRules.publish ? "publish to" : "subscribe to"
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
        if case .failure(let e) = check(topic, \.publish, id: cmd.id) { return reply(c, .failure(e)) }
        let id = cmd.id, cid = c.id, loop = c.loop
        c.loop.metrics.published()
        loop.busPort.publish(topic: topic, data: Array(cmd.data!), from: identity) { result in
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
                                list.raw(ReplyEncoder.publication(topic: p.topic, offset: Int(p.offset), data: p.data))
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

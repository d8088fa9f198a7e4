import Broadcast

extension Command {
    /// The per-op rules of PROTOCOL.md "Commands": the fields each op requires, and an error for
    /// an unknown op. Field types and the topic name rule were already checked by `parse`.
    /// - Returns: `nil` when the command may be carried out, else a `bad_request` echoing `id`.
    func validate() -> CommandError? {
        func missing(_ field: String) -> CommandError { .badRequest("missing \"\(field)\"", id: id) }
        switch kind {
        case .subscribe, .unsubscribe, .history, .presence:
            if topic == nil { return missing("topic") }
        case .publish:
            if topic == nil { return missing("topic") }
            if data == nil { return missing("data") }
        case .send:
            if to == nil { return missing("to") }
            if data == nil { return missing("data") }
        case .auth:
            if token == nil { return missing("token") }
        case .ack:
            if message == nil { return missing("message") }
        case .engine:
            if engine == nil { return missing("engine") }
            if action == nil { return missing("action") }
        case .admin:
            if action == nil { return missing("action") }
        case .ping:
            break
        case .unknown(let op):
            // Bounded: the op is the client's text and lands in a reply.
            let shown = op.count > 64 ? op.prefix(64) + "…" : Substring(op)
            return .badRequest("unknown op \"\(shown)\"", id: id)
        }
        return nil
    }

    /// `parse` then `validate`: the command ready to carry out, or the error to reply with.
    static func decode(_ bytes: [UInt8]) -> Result<Command, CommandError> {
        parse(bytes, validating: true)
    }
}

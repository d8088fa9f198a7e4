/// The known `op`s of protocol v1 (PROTOCOL.md "Commands"); any other keeps its text so the error
/// reply can name it.
enum CommandKind: Equatable, Hashable, Sendable {
    case subscribe, unsubscribe, publish, history, presence, ping, auth, send, ack, engine, admin
    /// An `op` this hub does not know.
    case unknown(String)

    /// The kind an `op` string names (exact, case-sensitive match).
    init(op: String) {
        var utf8 = op
        let known = utf8.withUTF8 { CommandKind(knownOp: UnsafeRawBufferPointer($0)) }
        self = known ?? .unknown(op)
    }

    /// The known kind whose `op` is exactly the UTF-8 `bytes`, or `nil`. Compares bytes, told
    /// apart by length first, so the parser needs no string comparisons.
    init?(knownOp bytes: UnsafeRawBufferPointer) {
        @inline(__always)
        func matches(_ word: StaticString) -> Bool {
            for k in 0..<bytes.count where bytes[k] != word.utf8Start[k] { return false }
            return true
        }
        guard bytes.count >= 3 else { return nil }
        switch bytes.count {
        case 3: if matches("ack") { self = .ack } else { return nil }
        case 4:
            if matches("ping") { self = .ping }
            else if matches("auth") { self = .auth }
            else if matches("send") { self = .send }
            else { return nil }
        case 5: if matches("admin") { self = .admin } else { return nil }
        case 6: if matches("engine") { self = .engine } else { return nil }
        case 7:
            if matches("publish") { self = .publish }
            else if matches("history") { self = .history }
            else { return nil }
        case 8: if matches("presence") { self = .presence } else { return nil }
        case 9: if matches("subscribe") { self = .subscribe } else { return nil }
        case 11: if matches("unsubscribe") { self = .unsubscribe } else { return nil }
        default: return nil
        }
    }

    /// The `op` string for this kind.
    var op: String {
        switch self {
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .publish: "publish"
        case .history: "history"
        case .presence: "presence"
        case .ping: "ping"
        case .auth: "auth"
        case .send: "send"
        case .ack: "ack"
        case .engine: "engine"
        case .admin: "admin"
        case .unknown(let op): op
        }
    }
}

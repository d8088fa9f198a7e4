import Broadcast
import Foundation
import Synchronization

/// `{"op":"admin","action":…,"args":{…}}` for operators: `connections` (every connection, across
/// loops), `topics` (with subscriber counts), `kick` (`args.client`: close that connection with
/// 4403). Runs off the hot path: Foundation JSON for `args` is fine here.
enum AdminCommands {
    static func execute(_ cmd: Command, from c: Connection) {
        let id = cmd.id, cid = c.id, loop = c.loop
        let done: @Sendable ([UInt8]) -> Void = { body in
            guard let id else { return }
            loop.post(.run { loop in loop.connection(id: cid)?.send(.text, ReplyEncoder.result(id: id, body: body)) })
        }
        switch cmd.action ?? "" {
        case "connections":
            gather(from: loop.allLoops, { $0.connectionInfos() }) { (lists: [[ConnectionInfo]]) in
                var o = JSONObjectWriter(reservingCapacity: 4096)
                let all = lists.flatMap { $0 }.sorted { $0.client < $1.client }
                o.array("connections") { a in
                    for i in all {
                        a.object { e in
                            e.string("client", i.client)
                            e.string("user", i.user)
                            e.string("endpoint", i.endpoint)
                            e.string("address", i.address)
                            e.int("age_s", i.ageSeconds)
                            e.int("bytes_in", i.bytesIn)
                            e.int("bytes_out", i.bytesOut)
                            e.int("topics", i.topics)
                        }
                    }
                }
                o.int("count", all.count)
                done(o.finish())
            }
        case "topics":
            let bus = loop.busPort.bus
            Task.onHub {
                let stats = await bus.stats()
                var o = JSONObjectWriter(reservingCapacity: 1024)
                o.array("topics") { a in
                    for (topic, n) in stats.subscribersByTopic.sorted(by: { $0.key < $1.key }) {
                        a.object { e in
                            e.string("topic", topic)
                            e.int("subscribers", n)
                        }
                    }
                }
                o.int("count", stats.topics)
                done(o.finish())
            }
        case "kick":
            guard let client = Self.stringArg(cmd, "client") else {
                return reply(c, CommandError(code: .badRequest, message: #"kick needs "args":{"client":"c-…"}"#, id: id))
            }
            let by = (c.handler as? Session)?.identity.user ?? "?"
            let store = (c.handler as? Session)?.settings.store
            gather(from: loop.allLoops, { l in l.kick(client: client, by: by) ? 1 : 0 }) { (found: [Int]) in
                if found.contains(1), let store {
                    // The audit log of admin actions (identity issue): who kicked whom.
                    Task.onHub { try? await store.audit(actor: by, action: "kick", target: client) }
                }
                var o = JSONObjectWriter()
                o.string("client", client)
                o.bool("kicked", found.contains(1))
                done(o.finish())
            }
        default:
            reply(c, CommandError(code: .badRequest, message: "unknown admin action; use connections, topics or kick", id: id))
        }
    }

    private static func reply(_ c: Connection, _ e: CommandError) {
        (c.handler as? Session)?.reply(c, .failure(e))
    }

    static func stringArg(_ cmd: Command, _ name: String) -> String? {
        guard let args = cmd.args,
              let object = try? JSONSerialization.jsonObject(with: Data(args)) as? [String: Any] else { return nil }
        return object[name] as? String
    }

    /// Runs `work` on every loop's thread and hands the results, in loop order, to `finish`
    /// (called on whichever loop answers last).
    static func gather<T: Sendable>(from loops: [EventLoop], _ work: @escaping @Sendable (EventLoop) -> T,
                                    _ finish: @escaping @Sendable ([T]) -> Void) {
        let results = Mutex<[Int: T]>([:])
        for loop in loops {
            loop.post(.run { l in
                let value = work(l)
                let all = results.withLock { r -> [T]? in
                    r[l.index] = value
                    return r.count == loops.count ? r.keys.sorted().map { r[$0]! } : nil
                }
                if let all { finish(all) }
            })
        }
    }
}

/// Encodes what the hub sends to clients (PROTOCOL.md "Replies" and "Pushes") as the bytes of one
/// text message, without Foundation and without re-serializing any client payload.
///
/// Replies and the welcome are built with `JSONObjectWriter`; publications, sent once per
/// publication per loop, are measured first and written in one pass into exactly sized memory
/// (the caller's, e.g. an `OutboundBytes` with room for the frame header in front, or a new array).
enum ReplyEncoder {
    /// The sender of a publication: `"from":{"client":"…","user":"…"|null}`.
    typealias Sender = (client: String, user: String?)

    // MARK: - Replies

    /// `{"id":7,"result":BODY}`, `body` being one valid JSON value (usually an object from
    /// `JSONObjectWriter`), spliced unchanged.
    static func result(id: Int, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 16 + JSONPrimitives.decimalCount(id))
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONPrimitives.appendDecimal(id, to: &out)
        out.append(contentsOf: #","result":"#.utf8)
        out.append(contentsOf: body)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"id":7,"result":{…}}` with the members `build` writes (none for the `{}` many ops answer).
    static func result(id: Int, _ build: (inout JSONObjectWriter) -> Void = { _ in }) -> [UInt8] {
        var out = JSONObjectWriter()
        out.int("id", id)
        out.object("result", build)
        return out.finish()
    }

    /// `{"id":7,"error":{"code":"forbidden","message":"…"}}`, or `{"error":{…}}` when `id` is `nil`
    /// (a command without id, or one whose JSON could not be read).
    static func error(id: Int?, code: ErrorCode, message: String) -> [UInt8] {
        var out = JSONObjectWriter(reservingCapacity: 48 + message.utf8.count)
        if let id { out.int("id", id) }
        out.object("error") { error in
            error.string("code", code.rawValue)
            error.string("message", message)
        }
        return out.finish()
    }

    /// The error reply for `error`, echoing its `id`.
    static func error(_ error: CommandError) -> [UInt8] {
        self.error(id: error.id, code: error.code, message: error.message)
    }

    // MARK: - Pushes

    /// `{"op":"welcome","client":"…","user":"…"|null,"node":"…","ping":25}`, the first push on a
    /// connection once its identity is known; `ping` is the ping interval in seconds.
    static func welcome(client: String, user: String?, node: String, ping: Int) -> [UInt8] {
        var out = JSONObjectWriter(reservingCapacity: 64 + client.utf8.count + node.utf8.count)
        out.string("op", "welcome")
        out.string("client", client)
        out.string("user", user)
        out.string("node", node)
        out.int("ping", ping)
        return out.finish()
    }

    /// `{"topic":"…","event":"join"|"leave","client":"…","user":"…"|null}`.
    static func presenceEvent(topic: String, event: PresenceEventKind, client: String, user: String?) -> [UInt8] {
        var out = JSONObjectWriter(reservingCapacity: 56 + topic.utf8.count + client.utf8.count)
        out.string("topic", topic)
        out.string("event", event.rawValue)
        out.string("client", client)
        out.string("user", user)
        return out.finish()
    }

    /// Bytes of the publication push `writePublication` writes.
    static func publicationSize(topic: String, offset: Int, dataCount: Int, from: Sender? = nil, extra: [UInt8]? = nil) -> Int {
        // {"topic": , "offset": , "data": }  = 9 + 10 + 8 + 1
        var size = 28 + JSONPrimitives.quotedCount(topic) + JSONPrimitives.decimalCount(offset) + dataCount
        if let extra, !extra.isEmpty { size += 1 + extra.count }
        if let from {
            // ,"from":{"client": = 18, ,"user": = 8, } = 1, around the client and the user or null
            size += 27 + JSONPrimitives.quotedCount(from.client)
            size += from.user.map { JSONPrimitives.quotedCount($0) } ?? 4
        }
        return size
    }

    /// Writes `{"topic":"…","offset":N,EXTRA,"from":{"client":"…","user":…},"data":DATA}` (without
    /// `from` or `extra` when `nil`) at `p`, which has room for `publicationSize(…)` bytes;
    /// returns the count.
    ///
    /// `data` is the publisher's JSON, spliced byte for byte (PROTOCOL.md: the hub never
    /// re-serializes a payload). `from` comes before `data` as in the direct-message push, so a
    /// client sees who sent a large payload before reading it. `extra` is raw JSON members an
    /// engine added (`Publication.extra`: the direct message's `"message":…,"from":{"user":…}`).
    @discardableResult
    static func writePublication(
        topic: String, offset: Int, data: UnsafeRawBufferPointer, from: Sender? = nil, extra: [UInt8]? = nil,
        to p: UnsafeMutableRawPointer
    ) -> Int {
        var w = 0
        @inline(__always)
        func put(_ text: StaticString) {
            (p + w).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
            w += text.utf8CodeUnitCount
        }
        put(#"{"topic":"#)
        w += JSONPrimitives.writeQuoted(topic, to: p + w)
        put(#","offset":"#)
        w += JSONPrimitives.writeDecimal(offset, to: p + w)
        if let extra, !extra.isEmpty {
            put(",")
            extra.withUnsafeBytes { (p + w).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            w += extra.count
        }
        if let from {
            put(#","from":{"client":"#)
            w += JSONPrimitives.writeQuoted(from.client, to: p + w)
            put(#","user":"#)
            if let user = from.user {
                w += JSONPrimitives.writeQuoted(user, to: p + w)
            } else {
                put("null")
            }
            put("}")
        }
        put(#","data":"#)
        if let base = data.baseAddress, data.count > 0 {
            (p + w).copyMemory(from: base, byteCount: data.count)
            w += data.count
        }
        put("}")
        return w
    }

    /// The publication push as a new array of exactly its size (one allocation).
    static func publication(topic: String, offset: Int, data: UnsafeRawBufferPointer, from: Sender? = nil,
                            extra: [UInt8]? = nil) -> [UInt8] {
        let size = publicationSize(topic: topic, offset: offset, dataCount: data.count, from: from, extra: extra)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = writePublication(topic: topic, offset: offset, data: data, from: from, extra: extra,
                                           to: buffer.baseAddress!)
            assert(initialized == size, "publicationSize disagrees with writePublication")
        }
    }

    /// The publication push for `data` held in an array slice (e.g. `Command.data`).
    static func publication(topic: String, offset: Int, data: ArraySlice<UInt8>, from: Sender? = nil) -> [UInt8] {
        data.withUnsafeBytes { publication(topic: topic, offset: offset, data: $0, from: from) }
    }

    /// The publication push for `data` held in an array.
    static func publication(topic: String, offset: Int, data: [UInt8], from: Sender? = nil) -> [UInt8] {
        data.withUnsafeBytes { publication(topic: topic, offset: offset, data: $0, from: from) }
    }
}

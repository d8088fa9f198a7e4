import Broadcast
@testable import Engines
import Testing
@testable import Hub

/// The mailbox table behind the telepathy engine (`Store` as `MailboxStorage`) over a real
/// SQLite file, and the push encoding of a direct message.
@Suite struct TelepathyMailboxTests {
    @Test func storeKeyCapAckAndExpiry() async throws {
        let dir = TestDirectory()
        let store = try Store.open(dataDir: dir.path)
        func put(_ id: String, from: String = "alice", to: String = "bob", key: String? = nil, at ms: Int64 = 1000,
                 cap: Int = 3) async throws -> MailboxStoreResult {
            try await store.storeMessage(id: id, from: from, to: to, key: key, data: Array(#"{"id":"\#(id)"}"#.utf8),
                                         nowMs: ms, maxPending: cap)
        }
        guard case .stored(let m1) = try await put("m-1", key: "k") else { Issue.record("not stored"); return }
        #expect(m1.data == Array(#"{"id":"m-1"}"#.utf8))
        #expect(try await put("m-x", key: "k") == .duplicate(id: "m-1"))
        #expect(try await put("m-c", from: "carol", key: "k") != .duplicate(id: "m-1"))
        guard case .stored(let m2) = try await put("m-2", at: 2000) else { Issue.record("not stored"); return }
        #expect(m2.seq > m1.seq)
        #expect(try await put("m-3") == .full(pending: 3))
        #expect(try await store.pendingMessageCount() == 3)

        let pending = try await store.pendingMessages(for: "bob", after: 0, limit: 10)
        #expect(pending.map(\.id) == ["m-1", "m-c", "m-2"])
        #expect(try await store.pendingMessages(for: "bob", after: m1.seq, limit: 1).map(\.id) == ["m-c"])
        #expect(try await store.pendingMessages(for: "carol", after: 0, limit: 10).isEmpty)

        #expect(try await store.ackMessage("m-1", recipient: "alice", nowMs: 3000) == .notFound)
        #expect(try await store.ackMessage("m-1", recipient: "bob", nowMs: 3000) == .acked(seq: m1.seq))
        #expect(try await store.ackMessage("m-1", recipient: "bob", nowMs: 3001) == .alreadyAcked)
        #expect(try await store.pendingMessages(for: "bob", after: 0, limit: 10).map(\.id) == ["m-c", "m-2"])
        // The acked message's key still answers its id.
        #expect(try await put("m-y", key: "k") == .duplicate(id: "m-1"))

        // Expiry counts from creation, acked or not.
        #expect(try await store.expireMessages(createdBefore: 1500) == 2)
        #expect(try await store.pendingMessages(for: "bob", after: 0, limit: 10).map(\.id) == ["m-2"])
        #expect(try await store.ackMessage("m-c", recipient: "bob", nowMs: 4000) == .notFound)
        guard case .stored = try await put("m-z", key: "k", at: 5000) else { Issue.record("the key is free after expiry"); return }
    }

    @Test func commitsAreSyncedToTheWAL() throws {
        // WAL with synchronous=FULL: every committed send is fsynced (docs/engines/telepathy.md).
        let dir = TestDirectory()
        let tokens = try TokenStore.open(dataDir: dir.path)
        #expect(try tokens.database.query("PRAGMA journal_mode") == [[.text("wal")]])
        #expect(try tokens.database.query("PRAGMA synchronous") == [[.integer(2)]])
    }

    @Test(arguments: [
        (#"{"to":"bob","data":{"a":"}\"{","b":[1,{"c":[]}]},"key":"k\u00e9\n"}"#,
         #"{"a":"}\"{","b":[1,{"c":[]}]}"#, "k\u{e9}\n"),
        (#" { "data" : -1.5e3 , "to" : "bob" , "key" : "\ud83d\ude00" } "#, "-1.5e3", "\u{1F600}"),
        (#"{"data":"x","to":"bob","key":"a\"b\\c\/"}"#, #""x""#, #"a"b\c/"#),
    ])
    func argsKeepDataByteForByteAndDecodeStrings(args: String, data: String, key: String) throws {
        let members = try #require(EngineJSON.members(Array(args.utf8)))
        #expect(members["data"].map { String(decoding: $0, as: UTF8.self) } == data)
        #expect(members["to"].flatMap(EngineJSON.string) == "bob")
        #expect(members["key"].flatMap(EngineJSON.string) == key)
        #expect(EngineJSON.string(ArraySlice(EngineJSON.quoted(key))) == key)
    }

    @Test func argsThatAreNotAnObjectReadAsNil() {
        for bad in ["", "[]", "1", #"{"a""#, #"{"a":}"#, #"{"a":"x"#, #"{"a":1,}"#] {
            #expect(EngineJSON.members(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(EngineJSON.members(Array("{}".utf8)) == [:])
    }

    @Test func pushSplicesTheMessageMembersBeforeData() {
        let m = MailboxMessage(seq: 1, id: "m-1", from: "al\"ice", to: "bob", data: Array(#"{ "a" :1}"#.utf8), createdMs: 0)
        let extra = TelepathyEngine.pushMembers(m)
        let p = Publication(topic: "user.bob", offset: 7, epoch: "e", data: m.data, from: nil, timeMs: 0, extra: extra)
        let frame = PushFrames.publication(p)
        let payload = Array(UnsafeRawBufferPointer(start: frame.base, count: frame.count)).suffix(PushFrames.payloadCount(frame))
        let expected = #"{"topic":"user.bob","offset":7,"message":"m-1","from":{"user":"al\"ice"},"data":{ "a" :1}}"#
        #expect(String(decoding: payload, as: UTF8.self) == expected)
        #expect(String(decoding: PushFrames.historyEntry(p), as: UTF8.self) == expected)
    }
}

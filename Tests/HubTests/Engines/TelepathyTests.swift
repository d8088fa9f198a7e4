import Foundation
import Testing
@testable import Hub

/// The telepathy engine end to end: a real hub over a real SQLite store in a test directory,
/// users on `/ws/auth` with stored tokens, the HTTP API over real sockets.
@Suite struct TelepathyTests {
    @Test func onlineRecipientGetsThePushWithMessageIdSenderAndDataByteForByte() async throws {
        try await TelepathyTest.run { hub in
            let bob = try DMUser(port: hub.port, name: "bob", token: try hub.createToken(user: "bob"))
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            try alice.waitUntil("bob")
            let data = #"{ "text" : "hi \u00e9", "n":1 }"#
            let id = try alice.sendID(to: "bob", data: data)
            #expect(id.hasPrefix("m-"))
            let push = try bob.nextDM()
            let offset = try #require(push.offset)
            #expect(push.text == #"{"topic":"user.bob","offset":\#(offset),"message":"\#(id)","from":{"user":"alice"},"data":\#(data)}"#)
            // The sender is not subscribed to bob's topic and gets nothing.
            #expect(try alice.client.nextIfAny(timeout: 0.3) == nil)
        }
    }

    @Test func offlineMessagesArriveAtTheNextConnectionInOrder() async throws {
        try await TelepathyTest.run { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let carol = try DMUser(port: hub.port, name: "carol", token: try hub.createToken(user: "carol"))
            #expect(try alice.isOnline("bob") == false)
            var sent: [(from: String, n: Int, id: String)] = []
            for n in 1...10 {
                let sender = n % 3 == 0 ? carol : alice
                sent.append((sender.name, n, try sender.sendID(to: "bob", data: #"{"n":\#(n)}"#)))
            }
            let bob = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("end", from: alice, to: "bob")
            let got = TelepathyTest.messages(try bob.dms(untilMarker: "end"))
            // Mailbox order: the order they were stored, which keeps each sender's order.
            #expect(got.map { DMUser.number($0) } == sent.map(\.n))
            #expect(got.map { DMUser.messageID($0) } == sent.map(\.id))
            #expect(got.map { DMUser.sender($0) } == sent.map(\.from))
            #expect(got.map(\.offset).allSatisfy { $0 != nil })
        }
    }

    @Test func perSenderOrderHoldsForPipelinedSends() async throws {
        try await TelepathyTest.run { hub in
            let bob = try DMUser(port: hub.port, name: "bob", token: try hub.createToken(user: "bob"))
            let alice = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice")).client
            let carol = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "carol")).client
            // Both senders stream 50 sends each without waiting for replies, at the same time.
            for n in 1...50 {
                try alice.send(#"{"op":"send","id":\#(n),"to":"bob","data":{"s":"a","n":\#(n)}}"#)
                try carol.send(#"{"op":"send","id":\#(n),"to":"bob","data":{"s":"c","n":\#(n)}}"#)
            }
            for n in 1...50 {
                #expect(try alice.reply(id: n).reply.result?["message"] is String)
                #expect(try carol.reply(id: n).reply.result?["message"] is String)
            }
            var got: [(String, Int)] = []
            while got.count < 100 {
                let m = try bob.nextDM()
                let d = try #require(m.json["data"] as? [String: Any])
                got.append((d["s"] as? String ?? "?", d["n"] as? Int ?? -1))
            }
            #expect(got.filter { $0.0 == "a" }.map(\.1) == Array(1...50))
            #expect(got.filter { $0.0 == "c" }.map(\.1) == Array(1...50))
        }
    }

    @Test func ackedMessagesAreNeverDeliveredAgainUnackedOnesAre() async throws {
        try await TelepathyTest.run { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let ids = try (1...3).map { try alice.sendID(to: "bob", data: #"{"n":\#($0)}"#) }

            let bob1 = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("first", from: alice, to: "bob")
            let first = try bob1.dms(untilMarker: "first")
            #expect(TelepathyTest.messages(first).map { DMUser.messageID($0) } == ids)
            try bob1.ack(ids[0])
            try bob1.ack(ids[2])
            try bob1.ack(try #require(DMUser.messageID(first.last!)))  // the marker
            bob1.close()

            // The next connection gets only what was not acked.
            let bob2 = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("second", from: alice, to: "bob")
            let second = try bob2.dms(untilMarker: "second")
            #expect(TelepathyTest.messages(second).map { DMUser.messageID($0) } == [ids[1]])
            try bob2.ack(ids[1])
            try bob2.ack(ids[1])  // a repeated ack is harmless
            try bob2.ack(try #require(DMUser.messageID(second.last!)))
            bob2.close()

            // After acking everything, a reconnection gets nothing before the next new message.
            let bob3 = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("third", from: alice, to: "bob")
            let third = try bob3.dms(untilMarker: "third")
            #expect(third.count == 1, "\(third)")
        }
    }

    @Test func theSameKeyFromTheSameSenderStoresOnce() async throws {
        try await TelepathyTest.run { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let carol = try DMUser(port: hub.port, name: "carol", token: try hub.createToken(user: "carol"))
            let first = try alice.send(to: "bob", data: #"{"n":1}"#, key: "order-17")
            let retry = try alice.send(to: "bob", data: #"{"n":1}"#, key: "order-17")
            let id = try #require(first["message"] as? String)
            #expect(first.count == 1, "\(first)")
            #expect(retry["message"] as? String == id)
            #expect(retry["duplicate"] as? Bool == true)
            // Another sender's key is its own.
            let other = try carol.sendID(to: "bob", data: #"{"n":2}"#, key: "order-17")
            #expect(other != id)

            let bob = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("end", from: alice, to: "bob")
            let got = TelepathyTest.messages(try bob.dms(untilMarker: "end"))
            #expect(got.map { DMUser.messageID($0) } == [id, other])
            // Still the same id once acked (the key outlives the ack until expiry).
            try bob.ack(id)
            #expect(try alice.send(to: "bob", data: #"{"n":1}"#, key: "order-17")["message"] as? String == id)
        }
    }

    @Test func onlyTheRecipientMayAck() async throws {
        try await TelepathyTest.run { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let carol = try DMUser(port: hub.port, name: "carol", token: try hub.createToken(user: "carol"))
            let id = try alice.sendID(to: "bob", data: #""secret""#)
            for other in [alice, carol] {
                let refused = try other.failure { #"{"op":"ack","id":\#($0),"message":\#(jsonString(id))}"# }
                #expect(refused.code == "not_found", "\(refused)")
            }
            let unknown = try alice.failure { #"{"op":"ack","id":\#($0),"message":"m-nothing"}"# }
            #expect(unknown.code == "not_found")
            // The refused acks changed nothing: bob still gets it, and may ack it.
            let bob = try DMUser(port: hub.port, name: "bob", token: bobToken)
            let push = try bob.nextDM()
            #expect(DMUser.messageID(push) == id)
            #expect(push.rawData == #""secret""#)
            try bob.ack(id)
        }
    }

    @Test func refusalsAreClear() async throws {
        try await TelepathyTest.run({ $0.telepathyMaxPending = 2 }) { hub in
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let anonymous = try V1Client(port: hub.port)
            let (reply, _) = try anonymous.call(#"{"op":"send","id":1,"to":"bob","data":1}"#, id: 1)
            #expect(reply.errorCode == "unauthorized", "\(reply)")
            let (ackReply, _) = try anonymous.call(#"{"op":"ack","id":2,"message":"m-1"}"#, id: 2)
            #expect(ackReply.errorCode == "unauthorized", "\(ackReply)")

            for bad in ["", "bob smith", "a/b", String(repeating: "x", count: 124)] {
                let e = try alice.failure { #"{"op":"send","id":\#($0),"to":\#(jsonString(bad)),"data":1}"# }
                #expect(e.code == "bad_request", "\(bad): \(e)")
                #expect(e.message.contains("user id"), "\(e)")
            }
            let longKey = try alice.failure { #"{"op":"send","id":\#($0),"to":"bob","data":1,"key":"\#(String(repeating: "k", count: 257))"}"# }
            #expect(longKey.code == "bad_request", "\(longKey)")

            // The per-recipient cap: two unacked messages, then `too_large` naming the limit.
            try alice.send(to: "bob", data: "1")
            try alice.send(to: "bob", data: "2")
            let full = try alice.failure { #"{"op":"send","id":\#($0),"to":"bob","data":3}"# }
            #expect(full.code == "too_large", "\(full)")
            #expect(full.message.contains("mailbox of bob is full"), "\(full)")
            // Others' mailboxes are not affected.
            try alice.send(to: "carol", data: "1")
            let health = try TelepathyTest.health(port: hub.port)
            #expect(health["refused"] as? Int == 1, "\(health)")
            #expect(health["pending"] as? Int == 3, "\(health)")
            #expect(health["processed"] as? Int == 3, "\(health)")
        }
    }

    @Test func presenceFollowsTheRecipientsConnections() async throws {
        try await TelepathyTest.run { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            #expect(try alice.isOnline("bob") == false)
            let bob1 = try DMUser(port: hub.port, name: "bob", token: bobToken)
            let bob2 = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try alice.waitUntil("bob")
            // alice and bob (alice's own /ws/auth connection counts too).
            #expect(TestDeadline.waitUntil(timeout: 10) { (try? TelepathyTest.health(port: hub.port))?["online_users"] as? Int == 2 })
            bob1.close()
            usleep(200_000)
            #expect(try alice.isOnline("bob"), "one of bob's connections is still open")
            bob2.close()
            try alice.waitUntil("bob", online: false)
            let anonymous = try V1Client(port: hub.port)
            let (reply, _) = try anonymous.call(
                #"{"op":"engine","id":1,"engine":"telepathy","action":"presence","args":{"user":"bob"}}"#, id: 1)
            #expect(reply.errorCode == "unauthorized", "\(reply)")
        }
    }

    @Test func httpAPISendsAndAnswersClearErrors() async throws {
        try await TelepathyTest.run({ $0.maxCommandBytes = 4096 }) { hub in
            let api = try hub.createToken(user: "ops", kind: .api)
            let admin = try hub.createToken(user: "root", kind: .admin)
            let user = try hub.createToken(user: "mallory")
            let bob = try DMUser(port: hub.port, name: "bob", token: try hub.createToken(user: "bob"))
            try bob.waitUntil("bob")

            let created = try TelepathyTest.post(port: hub.port, body: #"{"from":"alice","to":"bob","data":{"x": [1, 2]},"key":"k"}"#, token: api)
            #expect(created.status == 201, "\(created.statusLine) \(created.bodyText)")
            let id = try #require(TelepathyTest.json(created)["message"] as? String, "\(created.bodyText)")
            #expect(created.bodyText == #"{"message":"\#(id)"}"#)
            let push = try bob.nextDM()
            #expect(push.text == #"{"topic":"user.bob","offset":\#(push.offset ?? -1),"message":"\#(id)","from":{"user":"alice"},"data":{"x": [1, 2]}}"#)

            let retried = try TelepathyTest.post(port: hub.port, body: #"{"from":"alice","to":"bob","data":{"x": [1, 2]},"key":"k"}"#, token: api)
            #expect(retried.status == 200, "\(retried.statusLine) \(retried.bodyText)")
            #expect(TelepathyTest.json(retried)["message"] as? String == id)

            // Without `from`, the token's own user sends.
            let asAdmin = try TelepathyTest.post(port: hub.port, body: #"{"to":"bob","data":"hello"}"#, token: admin)
            #expect(asAdmin.status == 201, "\(asAdmin.bodyText)")
            #expect(DMUser.sender(try bob.nextDM()) == "root")

            let cases: [(String, String?, Int, String)] = [
                (#"{"to":"bob","data":1}"#, nil, 401, "unauthorized"),
                (#"{"to":"bob","data":1}"#, "hub_not-a-token", 401, "unauthorized"),
                (#"{"to":"bob","data":1}"#, user, 403, "forbidden"),
                (#"{"to":"bob"}"#, api, 400, "bad_request"),
                (#"{"data":1}"#, api, 400, "bad_request"),
                (#"{"to":"bob smith","data":1}"#, api, 400, "bad_request"),
                (#"{"to":"bob","data":1,"from":7}"#, api, 400, "bad_request"),
                (#"{"to":"bob","data":}"#, api, 400, "bad_request"),
                (#"{"to":"bob","data":"\#(String(repeating: "x", count: 5000))"}"#, api, 413, "too_large"),
            ]
            for (body, token, status, code) in cases {
                let r = try TelepathyTest.post(port: hub.port, body: body, token: token)
                #expect(r.status == status, "\(body.prefix(60)): \(r.statusLine) \(r.bodyText)")
                #expect(V1PublishAPITests.code(r) == code, "\(body.prefix(60)): \(r.bodyText)")
            }
            let get = try TelepathyTest.post(port: hub.port, body: "", token: api, method: "GET")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")
        }
    }

    @Test func theExpiryTaskRemovesOldMessages() async throws {
        try await TelepathyTest.run({ $0.telepathyExpiry = 2 }) { hub in
            let task = try #require(hub.server.scheduler.task(named: "telepathy_mailbox_expiry"))
            #expect(task.snapshot().interval == 0.5)
            #expect(hub.server.breakers.snapshots().contains { $0.name == "engine.telepathy" })
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let old = try alice.sendID(to: "bob", data: #"{"n":1}"#)
            #expect(try TelepathyTest.health(port: hub.port)["pending"] as? Int == 1)
            // The task runs every 0.5 s (a quarter of the expiry); the message is gone after 2 s.
            let gone = TestDeadline.waitUntil(timeout: 10) {
                (try? TelepathyTest.health(port: hub.port)["expired"] as? Int) == 1
            }
            let health = try TelepathyTest.health(port: hub.port)
            #expect(gone, "\(health)")
            let store = hub.store
            #expect(try hub.wait { try await store.pendingMessageCount() } == 0)
            #expect(try TelepathyTest.health(port: hub.port)["pending"] as? Int == 0)

            let bob = try DMUser(port: hub.port, name: "bob", token: bobToken)
            try TelepathyTest.marker("end", from: alice, to: "bob")
            let got = try bob.dms(untilMarker: "end")
            #expect(got.count == 1, "the expired \(old) must not be delivered: \(got)")
            let ack = try bob.failure { #"{"op":"ack","id":\#($0),"message":\#(jsonString(old))}"# }
            #expect(ack.code == "not_found")
        }
    }

    @Test func aLongBacklogWaitsForAcksInsteadOfOverflowingTheConnection() async throws {
        // max_outbound_bytes 8 KiB: a window of 4 KiB of unacked pushes, about three of these.
        try await TelepathyTest.run({ $0.maxOutboundBytes = 8192 }) { hub in
            let bobToken = try hub.createToken(user: "bob")
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let filler = String(repeating: "x", count: 1200)
            let ids = try (1...12).map { try alice.sendID(to: "bob", data: #"{"n":\#($0),"f":"\#(filler)"}"#) }
            let bob = try DMUser(port: hub.port, name: "bob", token: bobToken)
            var got: [V1Message] = [try bob.nextDM()]
            while let m = try bob.client.nextIfAny(timeout: 0.5) { got.append(m) }
            #expect(got.count >= 1 && got.count < 6, "\(got.count) pushes before any ack")
            // Each ack lets more through, in order, until all twelve came (and the connection lived).
            var acked = 0
            while got.count < 12 {
                try bob.ack(try #require(DMUser.messageID(got[acked])))
                acked += 1
                while let m = try bob.client.nextIfAny(timeout: 0.3) { got.append(m) }
                #expect(acked <= 12, "stalled at \(got.count)")
                if acked > 12 { break }
            }
            #expect(got.map { DMUser.messageID($0) } == ids)
        }
    }

    @Test func aTokenRestrictedAwayFromItsUserTopicGetsNoDirectMessages() async throws {
        try await TelepathyTest.run { hub in
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            let jwt = try IdentityHub.jwt(sub: "bob", extra: ["topics": ["public.*"]])
            let restricted = try DMUser(port: hub.port, name: "bob", token: jwt)
            #expect(try restricted.isOnline("bob") == false, "not subscribed to user.bob, so not announced")
            let id = try alice.sendID(to: "bob", data: "1")
            #expect(try restricted.client.nextIfAny(timeout: 0.5) == nil)
            // Stored all the same: an unrestricted connection gets it.
            let bob = try DMUser(port: hub.port, name: "bob", token: try hub.createToken(user: "bob"))
            #expect(DMUser.messageID(try bob.nextDM()) == id)
        }
    }

    @Test func historyOfTheUserTopicCarriesTheMessageMembers() async throws {
        try await TelepathyTest.run { hub in
            let bob = try DMUser(port: hub.port, name: "bob", token: try hub.createToken(user: "bob"))
            let alice = try DMUser(port: hub.port, name: "alice", token: try hub.createToken(user: "alice"))
            try alice.waitUntil("bob")
            let id = try alice.sendID(to: "bob", data: "[1,2]")
            let push = try bob.nextDM()
            let (reply, _) = try bob.client.call(#"{"op":"history","id":99,"topic":"user.bob"}"#, id: 99)
            let entries = try #require(reply.result?["publications"] as? [[String: Any]], "\(reply)")
            #expect(entries.count == 1)
            #expect(entries.first?["message"] as? String == id)
            #expect((entries.first?["from"] as? [String: Any])?["user"] as? String == "alice")
            #expect(reply.text.contains(#"{"topic":"user.bob","offset":\#(push.offset!),"message":"\#(id)","from":{"user":"alice"},"data":[1,2]}"#), "\(reply)")
            // Others cannot read bob's topic.
            let (denied, _) = try alice.client.call(#"{"op":"history","id":98,"topic":"user.bob"}"#, id: 98)
            #expect(denied.errorCode == "forbidden")
        }
    }
}

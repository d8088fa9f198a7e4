import Broadcast
import Foundation
import Testing
@testable import Hub

/// Every error of protocol v1 on `/ws`: the error replies (PROTOCOL.md "Precise semantics") and
/// the close codes of the limits.
@Suite struct V1ErrorTests {
    /// Namespaces with every permission the errors need.
    static func namespaces(_ c: inout HubConfig) {
        c.namespaces = Namespaces([
            "public": NamespaceRules(),
            "readonly": NamespaceRules(publish: .nobody),
            "members": NamespaceRules(publish: .authenticated),
            "closed": NamespaceRules(subscribe: .authenticated, publish: .authenticated),
            "quiet": NamespaceRules(presence: false),
        ])
    }

    /// Expects `reply` to be an error with `code` and, when given, `id`; with a message.
    static func expectError(_ reply: V1Message, _ code: String, id: Int?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.errorCode == code, "\(reply)", sourceLocation: sourceLocation)
        #expect(reply.id == id, "\(reply)", sourceLocation: sourceLocation)
        #expect(reply.json["result"] == nil, sourceLocation: sourceLocation)
        #expect(Set(reply.json.keys) == (id == nil ? ["error"] : ["id", "error"]), "\(reply)", sourceLocation: sourceLocation)
        let message = reply.error?["message"] as? String
        #expect(message.map { !$0.isEmpty } == true, "an error has a message: \(reply)", sourceLocation: sourceLocation)
    }

    /// Sends `command` and returns the hub's next message (an error reply without id is
    /// recognised by being next), then checks the connection still answers a ping.
    static func errorFor(_ c: V1Client, _ command: String, id: Int?) throws -> V1Message {
        try c.send(command)
        let m: V1Message
        if let id {
            let (reply, before) = try c.reply(id: id)
            // Presence joins of earlier subscriptions may come in between; nothing else may.
            #expect(before.allSatisfy { $0.event == "join" }, "\(before)")
            m = reply
        } else {
            var next = try c.next()
            while next.event == "join" { next = try c.next() }
            m = next
        }
        let (pong, _) = try c.call(#"{"op":"ping","id":999}"#, id: 999)
        #expect(pong.text == #"{"id":999,"result":{}}"#, "the connection stays usable after \(command)")
        return m
    }

    @Test func invalidJSONIsBadRequestWithoutIDAndTheConnectionStays() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            for bad in [#"{"op":"#, "not json", #"{"op":"ping","id":1,}"#, "", #"{"op":"ping"} x"#] {
                Self.expectError(try Self.errorFor(c, bad, id: nil), "bad_request", id: nil)
            }
            // Valid JSON that is not an object, or an object without op.
            for bad in ["[1,2]", "42", #"{"id":5}"#] {
                let m = try Self.errorFor(c, bad, id: nil)
                #expect(m.errorCode == "bad_request", "\(bad) → \(m)")
            }
        }
    }

    @Test func unknownOpIsBadRequestWithItsID() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            Self.expectError(try Self.errorFor(c, #"{"op":"frobnicate","id":7}"#, id: 7), "bad_request", id: 7)
            // Without id the error still comes, without id.
            Self.expectError(try Self.errorFor(c, #"{"op":"frobnicate"}"#, id: nil), "bad_request", id: nil)
        }
    }

    @Test func missingFieldsAreBadRequest() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            for (i, op) in ["subscribe", "unsubscribe", "publish", "history", "presence"].enumerated() {
                Self.expectError(try Self.errorFor(c, #"{"op":"\#(op)","id":\#(i + 1)}"#, id: i + 1), "bad_request", id: i + 1)
            }
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","id":20,"topic":"public.a"}"#, id: 20), "bad_request", id: 20)
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","topic":"public.a"}"#, id: nil), "bad_request", id: nil)
            // Nothing was published by the failed attempts.
            #expect(try c.publish("public.a", data: "1", id: 21) == 1)
        }
    }

    @Test func badTopicNamesAreBadRequest() async throws {
        let names = ["bad topic", "public.é", "", String(repeating: "a", count: 129), "public/x", "a,b"]
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            for (i, name) in names.enumerated() {
                let id = i + 1
                let m = try Self.errorFor(c, #"{"op":"subscribe","id":\#(id),"topic":\#(jsonString(name))}"#, id: id)
                Self.expectError(m, "bad_request", id: id)
            }
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","id":50,"topic":7,"data":1}"#, id: 50), "bad_request", id: 50)
            // 128 characters of the allowed alphabet are fine.
            let longest = "public." + String(repeating: "x", count: 121)
            #expect(try c.subscribe(longest, id: 60)["topic"] as? String == longest)
            #expect(try c.subscribe("public.A-z_0:9@.x", id: 61)["offset"] as? Int == 0)
        }
    }

    @Test func unknownNamespaceIsForbidden() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let c = try V1Client(port: server.port)
            let commands = [
                #"{"op":"subscribe","id":1,"topic":"nowhere.x"}"#,
                #"{"op":"publish","id":2,"topic":"nowhere.x","data":1}"#,
                #"{"op":"history","id":3,"topic":"nowhere"}"#,
                #"{"op":"presence","id":4,"topic":"nowhere.x"}"#,
            ]
            for (i, command) in commands.enumerated() {
                Self.expectError(try Self.errorFor(c, command, id: i + 1), "forbidden", id: i + 1)
            }
        }
    }

    @Test func anonymousMayNotPublishWhereOnlyNobodyOrUsersMay() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let c = try V1Client(port: server.port)
            // Subscribing is allowed in both (anyone), publishing is not.
            #expect(try c.subscribe("readonly.news", id: 1)["offset"] as? Int == 0)
            #expect(try c.subscribe("members.chat", id: 2)["offset"] as? Int == 0)
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","id":3,"topic":"readonly.news","data":1}"#, id: 3), "forbidden", id: 3)
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","id":4,"topic":"members.chat","data":1}"#, id: 4), "forbidden", id: 4)
            Self.expectError(try Self.errorFor(c, #"{"op":"publish","topic":"members.chat","data":1}"#, id: nil), "forbidden", id: nil)
            // Subscribing where only users may, too.
            Self.expectError(try Self.errorFor(c, #"{"op":"subscribe","id":5,"topic":"closed.x"}"#, id: 5), "forbidden", id: 5)
            // Nothing was published.
            let h = try c.result(#"{"op":"history","id":6,"topic":"readonly.news"}"#, id: 6)
            #expect(h["offset"] as? Int == 0)
            #expect((h["publications"] as? [Any])?.isEmpty == true)
            #expect(try c.publish("public.ok", data: "1", id: 7) == 1)
        }
    }

    @Test func presenceOffIsForbidden() async throws {
        try await TestServer.runOnThread(Self.namespaces) { server in
            let c = try V1Client(port: server.port)
            try c.subscribe("quiet.room", id: 1)
            Self.expectError(try Self.errorFor(c, #"{"op":"presence","id":2,"topic":"quiet.room"}"#, id: 2), "forbidden", id: 2)
            let ok = try c.result(#"{"op":"presence","id":3,"topic":"public.room"}"#, id: 3)
            #expect(ok["count"] as? Int == 0)
        }
    }

    @Test func oversizeCommandIsTooLargeAndTheConnectionStays() async throws {
        try await TestServer.runOnThread({ $0.maxCommandBytes = 1024 }) { server in
            let c = try V1Client(port: server.port)
            let filler = String(repeating: "x", count: 2000 - 60)
            let big = #"{"op":"publish","id":1,"topic":"public.big","data":"\#(filler)"}"#
            #expect(big.utf8.count > 1024)
            Self.expectError(try Self.errorFor(c, big, id: nil), "too_large", id: nil)
            // Exactly the limit is accepted.
            let pad = String(repeating: "y", count: 1024 - #"{"op":"publish","id":2,"topic":"public.big","data":""}"#.utf8.count)
            let edge = #"{"op":"publish","id":2,"topic":"public.big","data":"\#(pad)"}"#
            #expect(edge.utf8.count == 1024)
            #expect(try c.result(edge, id: 2)["offset"] as? Int == 1, "the oversize command was not published")
            #expect(server.metrics.commandSizeTrips.load(ordering: .relaxed) == 1)
        }
    }

    @Test func oversizeMessageClosesWith1009() async throws {
        try await TestServer.runOnThread({ c in
            c.maxMessageBytes = 4096
            c.maxCommandBytes = 4096
        }) { server in
            let c = try V1Client(port: server.port)
            try c.ws.sendText(#"{"op":"ping","data":""# + String(repeating: "z", count: 5000) + #""}"#)
            let (close, before) = try c.readUntilClose()
            #expect(before.isEmpty, "\(before)")
            #expect(close.closeCode == 1009)
            // The closing handshake completes: after our answer the hub closes the TCP connection.
            try c.ws.sendClose(code: 1009)
            _ = try c.ws.readToEnd(timeout: 2)
        }
    }

    @Test func binaryFrameClosesWith1003() async throws {
        try await TestServer.runOnThread { server in
            let c = try V1Client(port: server.port)
            try c.ws.send(.binary, Array(#"{"op":"ping","id":1}"#.utf8))
            let (close, before) = try c.readUntilClose()
            #expect(before.isEmpty, "no reply to a binary frame: \(before)")
            #expect(close.closeCode == 1003)
        }
    }

    /// Past `max_topics` a new subscription gets `too_large` (Session.subscribe); re-subscribing a
    /// topic it has is fine, and unsubscribing makes room.
    @Test func topicLimit() async throws {
        try await TestServer.runOnThread({ $0.maxTopics = 3 }) { server in
            let c = try V1Client(port: server.port)
            for i in 1...3 { try c.subscribe("public.t\(i)", id: i) }
            Self.expectError(try Self.errorFor(c, #"{"op":"subscribe","id":4,"topic":"public.t4"}"#, id: 4), "too_large", id: 4)
            #expect(try c.subscribe("public.t2", id: 5)["topic"] as? String == "public.t2", "already subscribed: allowed")
            #expect(server.metrics.topicLimitTrips.load(ordering: .relaxed) == 1)
            _ = try c.result(#"{"op":"unsubscribe","id":6,"topic":"public.t1"}"#, id: 6)
            #expect(try c.subscribe("public.t4", id: 7)["topic"] as? String == "public.t4")
            Self.expectError(try Self.errorFor(c, #"{"op":"subscribe","id":8,"topic":"public.t5"}"#, id: 8), "too_large", id: 8)

            // The refused topic is really not subscribed: its publications do not arrive.
            let p = try V1Client(port: server.port)
            try p.publish("public.t5", data: "5", id: 1)
            try p.publish("public.t4", data: "4", id: 2)
            // A history read of a topic reaches its shard after those publications: its reply
            // comes after any push they caused.
            let (_, afterT5) = try c.call(#"{"op":"history","id":9,"topic":"public.t5"}"#, id: 9)
            let (_, afterT4) = try c.call(#"{"op":"history","id":10,"topic":"public.t4"}"#, id: 10)
            #expect((afterT5 + afterT4).filter(\.isPublication).map(\.topic) == ["public.t4"])
        }
    }

    static func rateLimited(_ c: inout HubConfig) {
        c.rateLimit = 10
        c.rateBurst = 5
        c.rateLimitStrikes = 20
    }

    /// Burst 5: five quick commands pass, the sixth gets `rate_limited` with its id.
    @Test func sixthQuickCommandIsRateLimited() async throws {
        try await TestServer.runOnThread(Self.rateLimited) { server in
            let c = try V1Client(port: server.port)
            try c.sendBatch((1...6).map { #"{"op":"ping","id":\#($0)}"# })
            var replies: [V1Message] = []
            for _ in 1...6 { replies.append(try c.next()) }
            #expect(replies.map(\.id) == [1, 2, 3, 4, 5, 6])
            for r in replies.prefix(5) { #expect(r.text == #"{"id":\#(r.id!),"result":{}}"#) }
            Self.expectError(replies[5], "rate_limited", id: 6)
            // Tokens come back at 10/s.
            usleep(250_000)
            let (ok, _) = try c.call(#"{"op":"ping","id":7}"#, id: 7)
            #expect(ok.result != nil, "\(ok)")
            #expect(server.metrics.rateLimitTrips.load(ordering: .relaxed) == 1)
        }
    }

    /// 20 strikes in a row close with 4429: 5 pass, 19 are refused, the 25th closes.
    @Test func floodClosesWith4429() async throws {
        try await TestServer.runOnThread(Self.rateLimited) { server in
            let c = try V1Client(port: server.port)
            try c.sendBatch((1...30).map { #"{"op":"ping","id":\#($0)}"# })
            let (close, before) = try c.readUntilClose()
            #expect(close.closeCode == 4429, "\(close)")
            #expect(before.filter { $0.result != nil }.map(\.id) == [1, 2, 3, 4, 5])
            #expect(before.filter { $0.errorCode == "rate_limited" }.map(\.id) == Array(6...24).map { Optional($0) })
            #expect(before.count == 24, "nothing after the strike that closed: \(before.map(\.text))")
        }
    }
}

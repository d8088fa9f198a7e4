import Broadcast
import Foundation
import Testing
@testable import Engines

/// The engine without a hub: text extraction, the JSON it writes, the bounded queue, the
/// `profile` action's rules.
@Suite struct MirrorEngineTests {
    static func publication(_ data: String, user: String? = "alice", topic: String = "chat.x", offset: UInt64 = 1) -> Publication {
        Publication(topic: topic, offset: offset, epoch: "e", data: Array(data.utf8),
                    from: ClientIdentity(client: "c-1", user: user), timeMs: 1000)
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func theAnalysedTextIsTheStringOrItsTextMember() {
        func text(_ s: String) -> String? { MirrorJSON.text(ofData: Array(s.utf8)) }
        #expect(text(#""hi there""#) == "hi there")
        #expect(text(#" {"text":"hi","x":1} "#) == "hi")
        #expect(text(#"{"a":{"text":"no"},"b":[1,"]",{"c":"}"}],"text":"yes"}"#) == "yes")
        #expect(text(#"{"text":5}"#) == nil)
        #expect(text(#"{"other":"x"}"#) == nil)
        #expect(text("42") == nil)
        #expect(text("[\"a\"]") == nil)
        #expect(text(#""caf\u00e9 \"ok\"\n\ud83d\ude00""#) == "café \"ok\"\n😀")
    }

    @Test func feedbackAndProfileAreJSON() throws {
        let a = MirrorAnalyser().analyse("I love it!")
        let f = try Self.json(MirrorEncoding.feedback(a, topic: "chat.x", offset: 7))
        #expect(f["kind"] as? String == "feedback")
        #expect((f["valence"] as? Double ?? 0) > 0)
        #expect((f["source"] as? [String: Any])?["topic"] as? String == "chat.x")
        #expect((f["source"] as? [String: Any])?["offset"] as? Int == 7)
        #expect(Set(((f["emotions"] as? [String: Any]) ?? [:]).keys) == Set(MirrorEmotion.allCases.map(\.rawValue)))
        #expect((f["style"] as? [String: Any])?["words"] as? Int == 3)
        var p = MirrorProfile()
        p.update(with: a, alpha: 0.2)
        let o = try Self.json(MirrorEncoding.profile(p, user: "al\"ice", alpha: 0.2))
        #expect(o["kind"] as? String == "profile")
        #expect(o["user"] as? String == "al\"ice")
        #expect(o["messages"] as? Int == 1)
        #expect(o["valence"] is Double)
        #expect((o["hints"] as? [String: Any])?["tone"] is String)
    }

    @Test func numbersAreRoundedToThreeDecimals() {
        #expect(MirrorJSONWriter.format(0.12345) == "0.123")
        #expect(MirrorJSONWriter.format(-0.0001) == "0")
        #expect(MirrorJSONWriter.format(2) == "2")
        #expect(MirrorJSONWriter.format(.nan) == "0")
    }

    @Test func anOverfullQueueDropsAndCounts() {
        // Not started: nothing drains the queue of 2.
        let engine = MirrorEngine(settings: MirrorSettings(queueSize: 2))
        for i in 0..<5 { engine.observe(Self.publication(#""good""#, offset: UInt64(i + 1))) }
        engine.observe(Self.publication(#""good""#, user: nil))
        let h = engine.health()
        #expect(h.status == .degraded)
        let details = Dictionary(uniqueKeysWithValues: h.details.map { ($0.0, $0.1) })
        #expect(details["dropped"] == .int(3))
        #expect(details["queued"] == .int(2))
        #expect(details["ignored"] == .int(1))
    }

    @Test func theProfileActionIsTheUsersOwnOrAnOperators() async throws {
        let engine = MirrorEngine()
        engine.process(Self.publication(#"{"text":"what a great day"}"#))
        engine.process(Self.publication(#"{"n":1}"#))
        let details = Dictionary(uniqueKeysWithValues: engine.health().details.map { ($0.0, $0.1) })
        #expect(engine.health().processed == 1)
        #expect(details["skipped"] == .int(1))
        #expect(details["users"] == .int(1))

        func call(_ args: String?, user: String?, admin: Bool = false) async -> Result<[String: Any], EngineError> {
            do {
                let r = try await engine.handle(EngineCall(action: "profile", args: args.map { Array($0.utf8) },
                                                           caller: EngineCaller(client: "c-9", user: user, isAdmin: admin)))
                return .success(try Self.json(r.json))
            } catch let e as EngineError {
                return .failure(e)
            } catch {
                return .failure(EngineError(.internal, "\(error)"))
            }
        }
        let own = try await call(nil, user: "alice").get()
        #expect((own["valence"] as? Double ?? 0) > 0)
        #expect(own["messages"] as? Int == 1)
        #expect(try await call(#"{"user":"alice"}"#, user: nil, admin: true).get()["user"] as? String == "alice")
        if case .failure(let e) = await call(#"{"user":"alice"}"#, user: "bob") {
            #expect(e.code == .forbidden)
        } else {
            Issue.record("bob may not read alice's profile")
        }
        if case .failure(let e) = await call(#"{"user":"carol"}"#, user: nil, admin: true) {
            #expect(e.code == .notFound)
        } else {
            Issue.record("carol has no profile")
        }
        if case .failure(let e) = await call(nil, user: nil, admin: true) { #expect(e.code == .badRequest) }
    }
}

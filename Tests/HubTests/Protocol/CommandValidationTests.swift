import Broadcast
import Testing
@testable import Hub

@Suite struct CommandValidationTests {
    private func decode(_ text: String) -> Result<Command, CommandError> { Command.decode(Array(text.utf8)) }

    @Test(arguments: [
        (#"{"op":"subscribe","id":1}"#, #"missing "topic""#),
        (#"{"op":"unsubscribe","id":1}"#, #"missing "topic""#),
        (#"{"op":"publish","id":1,"data":1}"#, #"missing "topic""#),
        (#"{"op":"publish","id":1,"topic":"a"}"#, #"missing "data""#),
        (#"{"op":"history","id":1}"#, #"missing "topic""#),
        (#"{"op":"presence","id":1}"#, #"missing "topic""#),
        (#"{"op":"auth","id":1}"#, #"missing "token""#),
        (#"{"op":"send","id":1,"data":1}"#, #"missing "to""#),
        (#"{"op":"send","id":1,"to":"bob"}"#, #"missing "data""#),
        (#"{"op":"ack","id":1}"#, #"missing "message""#),
        (#"{"op":"engine","id":1,"action":"start"}"#, #"missing "engine""#),
        (#"{"op":"engine","id":1,"engine":"dream"}"#, #"missing "action""#),
        (#"{"op":"admin","id":1,"args":{}}"#, #"missing "action""#),
        (#"{"op":"Ping","id":1}"#, #"unknown op "Ping""#),
        (#"{"op":"","id":1}"#, #"unknown op """#),
    ])
    func missingFields(text: String, message: String) {
        #expect(decode(text) == .failure(.badRequest(message, id: 1)))
    }

    @Test(arguments: [
        #"{"op":"subscribe","topic":"a"}"#, #"{"op":"subscribe","topic":"a","recover":{"epoch":"e","offset":3}}"#,
        #"{"op":"unsubscribe","topic":"a"}"#, #"{"op":"publish","topic":"a","data":null}"#,
        #"{"op":"history","topic":"a","limit":5,"since":{"epoch":"e","offset":0}}"#, #"{"op":"presence","topic":"a"}"#,
        #"{"op":"ping"}"#, #"{"op":"auth","token":"x"}"#, #"{"op":"send","to":"bob","data":{},"key":"k"}"#,
        #"{"op":"ack","message":"m-1"}"#, #"{"op":"engine","engine":"dream","action":"start","args":{}}"#,
        #"{"op":"admin","action":"connections"}"#,
    ])
    func completeCommandsPass(text: String) throws {
        let c = try decode(text).get()
        #expect(c.validate() == nil)
    }

    @Test func kindsMatchOps() {
        let ops = ["subscribe", "unsubscribe", "publish", "history", "presence", "ping", "auth", "send", "ack", "engine", "admin"]
        let kinds: [CommandKind] = [.subscribe, .unsubscribe, .publish, .history, .presence, .ping, .auth, .send, .ack, .engine, .admin]
        for (op, kind) in zip(ops, kinds) {
            #expect(CommandKind(op: op) == kind)
            #expect(kind.op == op)
        }
        #expect(CommandKind(op: "PUBLISH") == .unknown("PUBLISH"))
    }

    @Test func unknownOpMessageIsBounded() throws {
        let op = String(repeating: "x", count: 1000)
        let error = try #require(Command(op: op, id: 2).validate())
        #expect(error.message.count < 100)
        #expect(error.id == 2)
    }

    // MARK: - Topic names

    @Test func topicLengths() throws {
        let max = String(repeating: "a", count: 128)
        #expect(try decode(#"{"op":"subscribe","topic":""# + max + #""}"#).get().topic == max)
        #expect(decode(#"{"op":"subscribe","id":3,"topic":""# + max + #"b"}"#) == .failure(.badRequest("invalid topic name", id: 3)))
        #expect(decode(#"{"op":"subscribe","id":3,"topic":""}"#) == .failure(.badRequest("invalid topic name", id: 3)))
    }

    @Test func everyAllowedCharacter() throws {
        let allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-"
        for character in allowed {
            let topic = "t" + String(character)
            #expect(try decode(#"{"op":"subscribe","topic":""# + topic + #""}"#).get().topic == topic)
            #expect(TopicName.isValid(String(character)))
        }
        #expect(try decode(#"{"op":"subscribe","topic":""# + allowed + #""}"#).get().topic == allowed)
    }

    @Test(arguments: [
        "a b", "a/b", "a#b", "a*", "a+b", "a,b", "é", "a\\\\b", "a\\\"b", "a\\n", "a\\u0000", "😀", "a$", "[a]", "~",
    ])
    func disallowedCharacters(topicJSON: String) {
        #expect(decode(#"{"op":"subscribe","id":4,"topic":""# + topicJSON + #""}"#) == .failure(.badRequest("invalid topic name", id: 4)))
    }

    @Test func everyOtherByteIsDisallowed() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-".utf8)
        for byte in 0...255 {
            let name = [UInt8(ascii: "a"), UInt8(byte)]
            #expect(name.withUnsafeBufferPointer { TopicName.isValid($0) } == allowed.contains(UInt8(byte)))
        }
    }

    @Test func escapedTopicIsJudgedDecoded() throws {
        #expect(try decode(#"{"op":"subscribe","topic":"\u0061.b"}"#).get().topic == "a.b")
    }
}

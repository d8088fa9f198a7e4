import Broadcast
import Testing
@testable import Hub

@Suite struct CommandParsingTests {
    private func parse(_ text: String) -> Result<Command, CommandError> { Command.parse(Array(text.utf8)) }

    private func command(_ text: String) throws -> Command { try parse(text).get() }

    private func failure(_ text: String) -> CommandError? {
        if case .failure(let error) = parse(text) { return error }
        return nil
    }

    @Test func readsEveryField() throws {
        let text = #"""
             {"op":"publish","id":7,"topic":"chat.lobby","data":{"text":"hi"},
              "recover":{"epoch":"e1","offset":0},"since":{"offset":5,"epoch":"e2","x":[1]},"limit":10,
              "token":"t","to":"bob","key":"k1","message":"m-1","engine":"dream","action":"start",
              "args":{"prompt":"p","seed":3},"extra":[true,{"deep":null}]}
            """#
        let c = try command(text)
        #expect(c.op == "publish")
        #expect(c.kind == .publish)
        #expect(c.id == 7)
        #expect(c.topic == "chat.lobby")
        #expect(c.data.map(Array.init) == Array(#"{"text":"hi"}"#.utf8))
        #expect(c.recover == StreamPosition(epoch: "e1", offset: 0))
        #expect(c.since == StreamPosition(epoch: "e2", offset: 5))
        #expect(c.limit == 10)
        #expect(c.token == "t")
        #expect(c.to == "bob")
        #expect(c.key == "k1")
        #expect(c.message == "m-1")
        #expect(c.engine == "dream")
        #expect(c.action == "start")
        #expect(c.args.map(Array.init) == Array(#"{"prompt":"p","seed":3}"#.utf8))
    }

    @Test func minimalCommandAndWhitespace() throws {
        #expect(try command(#"{"op":"ping"}"#) == Command(op: "ping"))
        #expect(try command(" \r\n\t{ \"op\" :\t\"ping\" , \"id\" : 1 }\n ") == Command(op: "ping", id: 1))
        #expect(try command(#"{"op":"whatever"}"#).kind == .unknown("whatever"))
    }

    @Test(arguments: [
        #"{"a":1}"#, "1", #""x""#, "[]", "null", "{}", "[{\"op\":\"ping\"}]",
    ])
    func rejectsWhatIsNotACommand(text: String) {
        let error = failure(text)
        #expect(error?.code == .badRequest)
        #expect(error?.id == nil)
    }

    @Test(arguments: [
        "", "{", #"{"op":"ping""#, #"{"op":"ping",}"#, #"{"op":"ping"} x"#, #"{"op":'ping'}"#,
        #"{"op":"ping","id":01}"#, #"{"op":"ping","data":[1,]}"#, #"{"op":"ping","x":NaN}"#, "{\"op\":\"a\nb\"}",
        #"{"id":5,"op":"publish","data":{"a":}}"#, #"{"id":5 "op":"ping"}"#,
    ])
    func invalidJSONHasNoId(text: String) throws {
        let error = try #require(failure(text))
        #expect(error.code == .badRequest)
        #expect(error.id == nil)
        #expect(error.message.hasPrefix("invalid JSON: "), "\(error.message)")
    }

    /// `data` is exactly the value's bytes: from after the colon and whitespace to before the
    /// whitespace and the next `,` or `}`.
    @Test(arguments: [
        #"{"a":{"b":[1,2,{"c":"d"}]},"e":{}}"#, #""he said \"hi\" \\ \u00e9 \ud83d\ude00 \n""#, "-12.5e-3", "0",
        "[1, \"two\", [3], {\"four\": 4}]", "true", "false", "null", "{ \"spaced\" :  [ 1 ,\n 2 ] }", "\"\"", "[]",
        "{}", "\"é😀 raw utf8\"", String(repeating: "[", count: 63) + String(repeating: "]", count: 63),
    ])
    func dataIsTheExactBytes(value: String) throws {
        for (before, after) in [("", ""), (" ", " "), ("\n\t ", "\r\n"), ("", "  ")] {
            for (prefix, suffix) in [
                (#"{"op":"publish","topic":"t","data":"#, "}"), (#"{"data":"#, #","op":"publish","topic":"t"}"#),
            ] {
                let text = prefix + before + value + after + suffix
                let bytes = Array(text.utf8)
                let c = try Command.parse(bytes).get()
                let data = try #require(c.data)
                #expect(Array(data) == Array(value.utf8))
                let start = prefix.utf8.count + before.utf8.count
                #expect(data.indices == start..<(start + value.utf8.count))
            }
        }
    }

    @Test func dataAtTheDepthLimit() {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let error = failure(#"{"op":"publish","topic":"t","id":3,"data":"# + deep + "}")
        #expect(error?.message.contains("nested deeper than 64") == true)
        #expect(error?.id == nil)
    }

    // MARK: - id

    @Test(arguments: [
        (#"{"op":"publish","id":5}"#, 5), (#"{"id":6,"op":"subscribe","topic":"bad topic"}"#, 6),
        (#"{"id":7,"topic":"t"}"#, 7), (#"{"op":1,"id":8}"#, 8), (#"{"op":"publish","id":9,"limit":0}"#, 9),
        (#"{"op":"x","id":10,"recover":{"epoch":"e"}}"#, 10), (#"{"op":"x","id":11,"args":[]}"#, 11),
        (#"{"op":"x","id":12,"token":3}"#, 12), (#"{"op":"x","id":13,"topic":null}"#, 13),
    ])
    func idIsEchoedWhenOtherFieldsFail(text: String, id: Int) {
        // Either parse or validate fails; either way the error carries the id.
        let error: CommandError? =
            switch Command.decode(Array(text.utf8)) {
            case .success: nil
            case .failure(let e): e
            }
        #expect(error?.id == id)
        #expect(error?.code == .badRequest)
    }

    @Test(arguments: [
        "0", "-1", "1.5", "1.0", "1e3", "9007199254740992", "123456789012345678901", "\"5\"", "null", "true", "[1]", "{}",
    ])
    func badIdIsABadRequestWithoutId(id: String) throws {
        let error = try #require(failure(#"{"op":"ping","id":"# + id + "}"))
        #expect(error.code == .badRequest)
        #expect(error.id == nil)
        #expect(error.message.contains("\"id\""))
    }

    @Test func idBounds() throws {
        #expect(try command(#"{"op":"ping","id":1}"#).id == 1)
        #expect(try command(#"{"op":"ping","id":9007199254740991}"#).id == 9_007_199_254_740_991)
    }

    // MARK: - Types

    @Test(arguments: [
        (#"{"op":5}"#, #""op" must be a string"#), (#"{"x":1}"#, #"missing "op""#),
        (#"{"op":"x","topic":5}"#, #""topic" must be a string"#), (#"{"op":"x","token":{}}"#, #""token" must be a string"#),
        (#"{"op":"x","to":1}"#, #""to" must be a string"#), (#"{"op":"x","key":[]}"#, #""key" must be a string"#),
        (#"{"op":"x","message":true}"#, #""message" must be a string"#), (#"{"op":"x","engine":null}"#, #""engine" must be a string"#),
        (#"{"op":"x","action":1.5}"#, #""action" must be a string"#), (#"{"op":"x","args":"a"}"#, #""args" must be an object"#),
        (#"{"op":"x","limit":0}"#, #""limit" must be a positive integer"#), (#"{"op":"x","limit":-2}"#, #""limit" must be a positive integer"#),
        (#"{"op":"x","recover":{"epoch":"e","offset":-1}}"#, #""recover" must be {"epoch": string, "offset": integer >= 0}"#),
        (#"{"op":"x","recover":{"epoch":1,"offset":1}}"#, #""recover" must be {"epoch": string, "offset": integer >= 0}"#),
        (#"{"op":"x","since":{}}"#, #""since" must be {"epoch": string, "offset": integer >= 0}"#),
        (#"{"op":"x","since":[]}"#, #""since" must be {"epoch": string, "offset": integer >= 0}"#),
        (#"{"op":"x","since":{"offset":2}}"#, #""since" must be {"epoch": string, "offset": integer >= 0}"#),
    ])
    func mistypedFields(text: String, message: String) {
        #expect(failure(text) == .badRequest(message))
    }

    @Test func positionsAcceptZeroAndIgnoreOtherMembers() throws {
        let c = try command(#"{"op":"subscribe","topic":"a","recover":{"x":{"y":[]},"offset":0,"epoch":""}}"#)
        #expect(c.recover == StreamPosition(epoch: "", offset: 0))
    }

    // MARK: - Keys

    @Test func duplicateKeysLastOneWins() throws {
        let c = try command(#"{"op":"ping","op":"publish","id":1,"id":2,"topic":"a","topic":"b","data":1,"data":[2]}"#)
        #expect(c.kind == .publish)
        #expect(c.id == 2)
        #expect(c.topic == "b")
        #expect(c.data.map(Array.init) == Array("[2]".utf8))
        // Validity follows the last one too.
        #expect(try command(#"{"op":"ping","id":"x","id":3}"#).id == 3)
        #expect(failure(#"{"op":"ping","id":3,"id":"x"}"#) == .badRequest(#""id" must be an integer from 1 to 2^53-1"#))
        #expect(try command(#"{"op":"ping","topic":"bad topic","topic":"ok"}"#).topic == "ok")
        #expect(failure(#"{"op":"ping","id":4,"topic":"ok","topic":"bad topic"}"#) == .badRequest("invalid topic name", id: 4))
        #expect(failure(#"{"op":"ping","op":1}"#) == .badRequest(#""op" must be a string"#))
        #expect(try command(#"{"op":"ping","recover":{"epoch":"a","offset":1,"offset":2}}"#).recover?.offset == 2)
    }

    @Test func escapedKeysAndValuesAreDecoded() throws {
        let c = try command(#"{"\u006fp":"pub\u006cish","t\u006fpic":"chat\u002elobby","\u0064ata":"\u00e9"}"#)
        #expect(c.kind == .publish)
        #expect(c.topic == "chat.lobby")
        #expect(c.data.map(Array.init) == Array(#""\u00e9""#.utf8))
        #expect(try command(#"{"op":"auth","token":"a\"b\\c\u0000"}"#).token == "a\"b\\c\u{0}")
    }

    @Test func unknownFieldsAreIgnoredButValidated() throws {
        #expect(try command(#"{"op":"ping","x":{"a":[1,2,{"b":null}]},"y":"\ud800","z":-0.5e1}"#) == Command(op: "ping"))
        #expect(failure(#"{"op":"ping","id":1,"x":[1,]}"#)?.id == nil)
        #expect(failure(#"{"op":"ping","id":1,"x":"\x"}"#)?.id == nil)
    }
}

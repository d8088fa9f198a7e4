import Testing
@testable import Engines

/// The start arguments and the limits they are checked against.
@Suite struct DreamStartArgsTests {
    static func parse(_ json: String, _ config: DreamConfig = DreamConfig()) throws(EngineError) -> DreamStartArgs {
        try DreamStartArgs.parse(Array(json.utf8), config, randomSeed: { 77 })
    }

    @Test func defaultsAndValues() throws {
        #expect(try Self.parse("{}") == DreamStartArgs(prompt: "", maxTokens: 100, seed: 77, paceMs: 50))
        #expect(try DreamStartArgs.parse(nil, DreamConfig(), randomSeed: { 1 }).seed == 1)
        #expect(try Self.parse(#"{"prompt":"In the","max_tokens":5,"seed":-1,"pace_ms":10}"#)
                == DreamStartArgs(prompt: "In the", maxTokens: 5, seed: UInt64.max, paceMs: 10))
        #expect(try Self.parse(#"{"seed":18446744073709551615}"#).seed == UInt64.max)
    }

    @Test(arguments: [
        (#"{"max_tokens":1000}"#, EngineError.Code.tooLarge), (#"{"max_tokens":0}"#, .badRequest),
        (#"{"max_tokens":"5"}"#, .badRequest), (#"{"max_tokens":2.5}"#, .badRequest), (#"{"max_tokens":true}"#, .badRequest),
        (#"{"pace_ms":0}"#, .badRequest), (#"{"pace_ms":10001}"#, .badRequest), (#"{"seed":"x"}"#, .badRequest),
        (#"{"seed":1.5}"#, .badRequest), (#"{"prompt":5}"#, .badRequest), (#"[1]"#, .badRequest),
    ])
    func refusals(_ json: String, _ code: EngineError.Code) {
        #expect(throws: EngineError.self) { try Self.parse(json) }
        do { _ = try Self.parse(json) } catch { #expect(error.code == code, "\(json): \(error)") }
    }

    @Test func promptLength() throws {
        var c = DreamConfig()
        c.maxPromptLength = 5
        #expect(try Self.parse(#"{"prompt":"abcde"}"#, c).prompt == "abcde")
        do {
            _ = try Self.parse(#"{"prompt":"abcdef"}"#, c)
            Issue.record("a 6-character prompt passed a limit of 5")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.message.contains("limit is 5"))
        }
    }
}

import Broadcast
import Foundation
import Testing
@testable import Hub

/// Seeded fuzzing: random and mutated inputs may only ever give `.success` or `.failure`, and the
/// parser's verdict must agree with the validator's (and, outside the documented disagreements,
/// with JSONSerialization's).
@Suite struct CommandFuzzTests {
    /// Pieces that make random input reach deep into the grammar.
    static let tokens: [String] = [
        "{", "}", "[", "]", ",", ":", " ", "\n", "\"", "\\", "\"op\"", "\"id\"", "\"topic\"", "\"data\"", "\"publish\"",
        "\"a.b\"", "1", "0", "-", ".", "e", "+", "12", "true", "false", "null", "tru", "\\u00", "\\ud83d\\ude00", "\\n",
        "\"recover\"", "{\"epoch\":\"e\",\"offset\":1}", "\u{1}", "é", "😀", "\"args\"", "\"since\"",
    ]

    /// Checks the invariants every input must keep, and returns the parse result.
    @discardableResult
    private func check(_ bytes: [UInt8]) -> Result<Command, CommandError> {
        let result = Command.parse(bytes)
        let valid = JSONValidator.isValid(bytes)
        switch result {
        case .success(let c):
            #expect(valid)
            if let data = c.data { #expect(JSONValidator.isValid(Array(data))) }
            if let args = c.args { #expect(args.first == UInt8(ascii: "{") && JSONValidator.isValid(Array(args))) }
            if let topic = c.topic { #expect(TopicName.isValid(topic)) }
            if let id = c.id { #expect(id >= 1 && id <= JSONScanner.maxSafeInteger) }
            _ = c.validate()
        case .failure(let e):
            #expect(e.code == .badRequest)
            if !valid {
                #expect(e.id == nil)
                #expect(e.message.hasPrefix("invalid JSON"))
            }
        }
        return result
    }

    /// Whether `text` is in a documented class where JSONSerialization and RFC 8259 part.
    private func knownDisagreement(_ text: String) -> Bool {
        let lowered = text.lowercased()
        let loneSurrogateLike = lowered.contains("\\ud8") || lowered.contains("\\ud9") || lowered.contains("\\uda")
            || lowered.contains("\\udb") || lowered.contains("\\udc") || lowered.contains("\\udd")
            || lowered.contains("\\ude") || lowered.contains("\\udf")
        let squeezed = text.filter { !" \n\t\r".contains($0) }
        let trailingComma = squeezed.contains(",]") || squeezed.contains(",}")
        return loneSurrogateLike || trailingComma || text.hasPrefix("\u{FEFF}")
    }

    @Test func randomBytes() {
        var rng = ProtocolTestRandom(seed: 0x5EED_0001)
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<64, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { bytes.insert(UInt8(ascii: "{"), at: 0) }
            check(bytes)
        }
    }

    @Test func randomTokensAgreeWithFoundation() {
        var rng = ProtocolTestRandom(seed: 0x5EED_0002)
        var compared = 0
        var validCount = 0
        for _ in 0..<4000 {
            var text = Bool.random(using: &rng) ? "{\"op\":" : ""
            for _ in 0..<Int.random(in: 1..<14, using: &rng) { text += Self.tokens.randomElement(using: &rng)! }
            if Bool.random(using: &rng) { text += "}" }
            let bytes = Array(text.utf8)
            check(bytes)
            let ours = JSONValidator.isValid(bytes)
            if ours { validCount += 1 }
            guard !knownDisagreement(text) else { continue }
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
            #expect(ours == foundation, "\(text.debugDescription): ours \(ours), Foundation \(foundation)")
            compared += 1
        }
        #expect(compared > 3000)
        #expect(validCount > 50, "the generator should reach valid documents too")
    }

    static let seeds: [String] = [
        #"{"op":"publish","id":12,"topic":"chat.lobby","data":{"text":"hello \"world\"","n":[1,2.5e3,true,null]}}"#,
        #"{"op":"subscribe","id":1,"topic":"a:b@c-d_e","recover":{"epoch":"ep-1","offset":41}}"#,
        #"{"op":"history","id":2,"topic":"t","limit":10,"since":{"epoch":"x","offset":0}}"#,
        #"{"op":"send","id":3,"to":"bob","key":"k","data":"\u00e9\ud83d\ude00"}"#,
        #"{"op":"engine","id":4,"engine":"dream","action":"start","args":{"prompt":"p","max_tokens":5}}"#,
        #" { "op" : "auth" , "token" : "abc.def" , "x" : [ { } , [ ] ] } "#,
    ]

    @Test func mutationsOfValidCommands() throws {
        var rng = ProtocolTestRandom(seed: 0x5EED_0003)
        for seed in Self.seeds {
            let original = Array(seed.utf8)
            #expect(throws: Never.self) { try Command.decode(original).get() }
            for _ in 0..<800 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    guard !bytes.isEmpty else { break }
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<6, using: &rng) {
                    case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(contentsOf: Self.tokens.randomElement(using: &rng)!.utf8, at: at)
                    case 3: bytes[at] = Array("{}[],:\"\\ 0-.e".utf8).randomElement(using: &rng)!
                    case 4:
                        let end = Int.random(in: at...bytes.count, using: &rng)
                        bytes.insert(contentsOf: bytes[at..<end], at: end)
                    default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
                    }
                }
                check(bytes)
            }
        }
    }

    /// Every prefix of a valid command is invalid JSON (a command is an object, so nothing shorter
    /// closes it), and must fail cleanly.
    @Test func everyTruncation() {
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            let end = bytes.lastIndex(of: UInt8(ascii: "}"))!
            for cut in 0...end {
                guard case .failure(let e) = check(Array(bytes[..<cut])) else {
                    Issue.record("prefix \(cut) of \(seed) parsed")
                    continue
                }
                #expect(e.id == nil)
            }
        }
    }

    /// A random valid JSON value of every shape, with random whitespace inside.
    private func randomValue(depth: Int, _ rng: inout ProtocolTestRandom) -> String {
        let ws = ["", " ", "\n", "\t ", "\r\n"]
        func space() -> String { ws.randomElement(using: &rng)! }
        let scalars = [
            "0", "-0", "17", "-3.25e-2", "1E+9", "true", "false", "null", #""""#, #""a\"b\\c""#, #""\u00e9\ud83d\ude00""#,
            "\"é😀\"", #""\/\b\f\n\r\t""#,
        ]
        guard depth < 5 else { return scalars.randomElement(using: &rng)! }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            let items = (0..<Int.random(in: 0..<4, using: &rng)).map { _ in space() + randomValue(depth: depth + 1, &rng) + space() }
            return "[" + (items.isEmpty ? space() : items.joined(separator: ",")) + "]"
        case 1:
            let members = (0..<Int.random(in: 0..<4, using: &rng)).map { k in
                space() + "\"k\(k)\"" + space() + ":" + space() + randomValue(depth: depth + 1, &rng) + space()
            }
            return "{" + (members.isEmpty ? space() : members.joined(separator: ",")) + "}"
        default:
            return scalars.randomElement(using: &rng)!
        }
    }

    @Test func generatedDataIsKeptByteForByte() throws {
        var rng = ProtocolTestRandom(seed: 0x5EED_0004)
        for _ in 0..<1000 {
            let value = randomValue(depth: 0, &rng)
            let text = #"{"op":"publish","topic":"t","data":"# + [" ", "", "\n"].randomElement(using: &rng)! + value + #" ,"id":1}"#
            let c = try Command.decode(Array(text.utf8)).get()
            #expect(c.data.map(Array.init) == Array(value.utf8))
            #expect((try? JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)) != nil)
        }
    }
}

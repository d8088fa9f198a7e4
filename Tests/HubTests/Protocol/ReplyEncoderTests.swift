import Foundation
import Testing
@testable import Hub

@Suite struct ReplyEncoderTests {
    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Every control character, quotes, backslashes, a slash, non-ASCII and a long run for the
    /// eight-byte path.
    static let awkward: String = {
        var s = "q\"b\\s/é😀 "
        for scalar in 0..<0x20 { s.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        return s + "\u{7F}" + String(repeating: "long run ", count: 5) + "\"\\"
    }()

    @Test func result() throws {
        #expect(text(ReplyEncoder.result(id: 7, body: Array(#"{"offset":3}"#.utf8))) == #"{"id":7,"result":{"offset":3}}"#)
        #expect(text(ReplyEncoder.result(id: 9_007_199_254_740_991)) == #"{"id":9007199254740991,"result":{}}"#)
        let built = ReplyEncoder.result(id: 1) { body in
            body.string("topic", "a")
            body.string("epoch", "x")
            body.int("offset", 3)
            body.bool("recovered", true)
        }
        #expect(text(built) == #"{"id":1,"result":{"topic":"a","epoch":"x","offset":3,"recovered":true}}"#)
    }

    @Test func errors() throws {
        #expect(text(ReplyEncoder.error(id: 7, code: .forbidden, message: "no")) == #"{"id":7,"error":{"code":"forbidden","message":"no"}}"#)
        #expect(text(ReplyEncoder.error(id: nil, code: .badRequest, message: "x")) == #"{"error":{"code":"bad_request","message":"x"}}"#)
        #expect(text(ReplyEncoder.error(.badRequest("m", id: 3))) == #"{"id":3,"error":{"code":"bad_request","message":"m"}}"#)
        let decoded = try object(ReplyEncoder.error(id: 2, code: .tooLarge, message: Self.awkward))
        let error = try #require(decoded["error"] as? [String: Any])
        #expect(error["message"] as? String == Self.awkward)
        #expect(error["code"] as? String == "too_large")
        #expect(decoded["id"] as? Int == 2)
    }

    @Test func errorCodesAreSnakeCase() {
        #expect(ErrorCode.allCases.map(\.rawValue) == [
            "bad_request", "unauthorized", "forbidden", "not_found", "too_large", "rate_limited", "unavailable", "internal",
        ])
    }

    @Test func everyControlCharacterIsEscaped() throws {
        for scalar in 0..<0x20 {
            let s = "a" + String(Unicode.Scalar(UInt8(scalar))) + "b"
            var out: [UInt8] = []
            JSONPrimitives.appendQuoted(s, to: &out)
            #expect(!out.contains { $0 < 0x20 })
            #expect(out.count == JSONPrimitives.quotedCount(s))
            let expected: String =
                switch scalar {
                case 0x08: #""a\bb""#
                case 0x09: #""a\tb""#
                case 0x0A: #""a\nb""#
                case 0x0C: #""a\fb""#
                case 0x0D: #""a\rb""#
                default: "\"a\\u00" + String(scalar, radix: 16).leftPadded(to: 2) + "b\""
                }
            #expect(text(out) == expected)
            let back = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
            #expect(back == s)
        }
        var out: [UInt8] = []
        JSONPrimitives.appendQuoted(#"say "hi" \ bye"#, to: &out)
        #expect(text(out) == #""say \"hi\" \\ bye""#)
    }

    @Test func escapingAtEveryPositionOfAWord() throws {
        for length in 1..<20 {
            for position in 0..<length {
                for special in ["\"", "\\", "\u{0}", "\n", "\u{1F}", "é"] {
                    var chars = Array(repeating: "x", count: length)
                    chars[position] = special
                    let s = chars.joined()
                    let count = JSONPrimitives.quotedCount(s)
                    let written = [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
                        n = JSONPrimitives.writeQuoted(s, to: buffer.baseAddress!)
                    }
                    #expect(written.count == count)
                    #expect(try JSONSerialization.jsonObject(with: Data(written), options: .fragmentsAllowed) as? String == s)
                }
            }
        }
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 12345, -1, -10, Int.max, Int.min, 9_007_199_254_740_991])
    func integers(value: Int) {
        var out: [UInt8] = []
        JSONPrimitives.appendDecimal(value, to: &out)
        #expect(text(out) == String(value))
        #expect(JSONPrimitives.decimalCount(value) == String(value).utf8.count)
    }

    @Test func welcome() throws {
        #expect(text(ReplyEncoder.welcome(client: "c1", user: nil, node: "n1", ping: 25))
            == #"{"op":"welcome","client":"c1","user":null,"node":"n1","ping":25}"#)
        let decoded = try object(ReplyEncoder.welcome(client: Self.awkward, user: "ali\"ce", node: "n", ping: 5))
        #expect(decoded["client"] as? String == Self.awkward)
        #expect(decoded["user"] as? String == "ali\"ce")
        #expect(decoded["ping"] as? Int == 5)
    }

    @Test func presenceEvents() throws {
        #expect(text(ReplyEncoder.presenceEvent(topic: "room.1", event: .join, client: "c", user: "u"))
            == #"{"topic":"room.1","event":"join","client":"c","user":"u"}"#)
        #expect(text(ReplyEncoder.presenceEvent(topic: "room.1", event: .leave, client: "c", user: nil))
            == #"{"topic":"room.1","event":"leave","client":"c","user":null}"#)
    }

    // MARK: - Publications

    static let payloads: [String] = [
        #"{"text":"hi \"there\" \\ \u00e9","n":[1,-2.5e3,true,false,null,{}]}"#, "0", "\"\"", "[ 1 ,\n 2 ]", "null",
        "\"é😀 raw\"", #"{ "spaced" : true }"#,
    ]

    @Test(arguments: payloads)
    func publicationSplicesDataByteForByte(payload: String) throws {
        let data = Array(payload.utf8)
        let bytes = ReplyEncoder.publication(topic: "chat.lobby", offset: 42, data: data)
        let prefix = Array(#"{"topic":"chat.lobby","offset":42,"data":"#.utf8)
        #expect(Array(bytes.prefix(prefix.count)) == prefix)
        #expect(Array(bytes[prefix.count..<(bytes.count - 1)]) == data)
        #expect(bytes.last == UInt8(ascii: "}"))
        #expect(bytes.count == ReplyEncoder.publicationSize(topic: "chat.lobby", offset: 42, dataCount: data.count))
        #expect(bytes.capacity >= bytes.count)
        let decoded = try object(bytes)
        #expect(decoded["topic"] as? String == "chat.lobby")
        #expect(decoded["offset"] as? Int == 42)
    }

    @Test func publicationWithSender() throws {
        let data = Array(#"{"a":1}"#.utf8)
        #expect(text(ReplyEncoder.publication(topic: "t", offset: 1, data: data, from: (client: "c1", user: "alice")))
            == #"{"topic":"t","offset":1,"from":{"client":"c1","user":"alice"},"data":{"a":1}}"#)
        #expect(text(ReplyEncoder.publication(topic: "t", offset: 0, data: data, from: (client: "c1", user: nil)))
            == #"{"topic":"t","offset":0,"from":{"client":"c1","user":null},"data":{"a":1}}"#)
        for from: ReplyEncoder.Sender? in [nil, (Self.awkward, nil), ("c", Self.awkward), (Self.awkward, Self.awkward)] {
            let bytes = ReplyEncoder.publication(topic: Self.awkward, offset: 1234, data: data, from: from)
            #expect(bytes.count == ReplyEncoder.publicationSize(topic: Self.awkward, offset: 1234, dataCount: data.count, from: from))
            let decoded = try object(bytes)
            #expect(decoded["topic"] as? String == Self.awkward)
            let sender = decoded["from"] as? [String: Any]
            #expect(sender?["client"] as? String == from?.client)
            if let user = from?.user { #expect(sender?["user"] as? String == user) }
            #expect(Array(bytes.suffix(data.count + 1).dropLast()) == data)
        }
    }

    @Test func publicationIntoACallersBufferWithHeadroom() {
        let data = Array("[1,2,3]".utf8)
        let size = ReplyEncoder.publicationSize(topic: "a", offset: 5, dataCount: data.count)
        let headroom = 10
        var buffer = [UInt8](repeating: 0xAA, count: headroom + size + 4)
        let written = buffer.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { ReplyEncoder.writePublication(topic: "a", offset: 5, data: $0, to: out.baseAddress! + headroom) }
        }
        #expect(written == size)
        #expect(buffer.prefix(headroom).allSatisfy { $0 == 0xAA })
        #expect(buffer.suffix(4).allSatisfy { $0 == 0xAA })
        #expect(text(Array(buffer[headroom..<(headroom + size)])) == #"{"topic":"a","offset":5,"data":[1,2,3]}"#)
    }

    @Test func publicationOfAParsedCommandsData() throws {
        let command = try Command.parse(Array(#"{"op":"publish","topic":"t","data": {"x" : "\u00e9"} }"#.utf8)).get()
        let data = try #require(command.data)
        #expect(text(ReplyEncoder.publication(topic: "t", offset: 1, data: data)) == #"{"topic":"t","offset":1,"data":{"x" : "\u00e9"}}"#)
    }

    // MARK: - Writers

    @Test func objectWriterBuildsEveryKindOfValue() throws {
        var w = JSONObjectWriter()
        w.string("s", Self.awkward)
        w.string("nil", nil as String?)
        w.int("i", -3)
        w.bool("t", true)
        w.bool("f", false)
        w.null("n")
        w.raw("raw", Array(#"{"k":[1]}"#.utf8))
        w.object("o") { o in
            o.int("a", 1)
            o.object("empty") { _ in }
        }
        w.array("a") { a in
            a.int(1)
            a.string("x")
            a.string(nil as String?)
            a.bool(false)
            a.null()
            a.raw(Array("2.5".utf8))
            a.object { o in o.string("client", "c") }
            a.array { inner in inner.int(0) }
            a.array { _ in }
        }
        w.string("k\"ey", "v")
        let bytes = w.finish()
        let decoded = try object(bytes)
        #expect(decoded["s"] as? String == Self.awkward)
        #expect(decoded["nil"] is NSNull)
        #expect(decoded["i"] as? Int == -3)
        #expect(decoded["n"] is NSNull)
        #expect(decoded["k\"ey"] as? String == "v")
        let tail = #""raw":{"k":[1]},"o":{"a":1,"empty":{}},"a":[1,"x",null,false,null,2.5,{"client":"c"},[0],[]],"k\"ey":"v"}"#
        #expect(text(bytes).hasSuffix(tail))
        #expect(text(JSONObjectWriter().finish()) == "{}")
        #expect(text(JSONArrayWriter().finish()) == "[]")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}

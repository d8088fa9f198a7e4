import Broadcast

extension Command {
    /// Reads one command: a JSON object (whitespace around it allowed) with a string `op`.
    ///
    /// The whole input is checked as strict RFC 8259 JSON (unknown fields too, though they are
    /// otherwise ignored); invalid JSON fails with no `id`. Known fields must have their type:
    /// `id` and `limit` integers 1 … 2^53 − 1, `recover`/`since` `{"epoch": string, "offset":
    /// 0 … 2^53 − 1}` (other members ignored), `args` an object, `data` any value, the rest
    /// strings, `topic` a valid name. A mistyped field fails with the `id` (when that one is
    /// valid), so the error reply can echo it. Per-op required fields are `validate()`'s job.
    ///
    /// Duplicate keys: the last one wins, for its value and its validity alike
    /// (`{"id":"x","id":2}` has id 2). RFC 8259 §4 leaves this to implementations; last-wins is
    /// what JavaScript's `JSON.parse` does, which is what most clients' authors expect.
    ///
    /// Nesting counts the command object itself: `data` may open 63 more levels.
    static func parse(_ bytes: [UInt8]) -> Result<Command, CommandError> {
        parse(bytes, validating: false)
    }

    /// `parse`, then `validate()` when `validating`, without copying the command in between.
    /// With `impliedOp`, an object without `op` is read as that command (the HTTP API's bodies:
    /// `POST /api/v1/publish` takes `{"topic","data"}`).
    static func parse(_ bytes: [UInt8], validating: Bool, impliedOp: CommandKind? = nil) -> Result<Command, CommandError> {
        bytes.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) {
                return try parse(bytes, raw, validating: validating, impliedOp: impliedOp)
            } catch {
                return .failure(.badRequest("invalid JSON: \(error)"))
            }
        }
    }

    private static func parse(
        _ bytes: [UInt8], _ raw: UnsafeRawBufferPointer, validating: Bool, impliedOp: CommandKind?
    ) throws(JSONSyntaxError) -> Result<Command, CommandError> {
        var s = JSONScanner(raw)
        s.skipWhitespace()
        guard s.peek() == UInt8(ascii: "{") else {
            try JSONValidator.validate(raw)  // invalid JSON says so; valid JSON is the wrong shape
            return .failure(.badRequest("a command must be a JSON object"))
        }
        s.index += 1
        let inner = JSONScanner.maxDepth - 1
        // Fields as locals, moved into the command at the end: building a `Command` in place
        // and wrapping it in a `Result` measured 5–10 % slower (a copy, retain and release per field).
        var op = ""
        var id: Int?, limit: Int?
        var topic: String?, token: String?, to: String?, key: String?, message: String?
        var engine: String?, action: String?
        var data: ArraySlice<UInt8>?, args: ArraySlice<UInt8>?
        var recover: StreamPosition?, since: StreamPosition?
        var hasOp = false
        var kind: CommandKind?  // set from the op's bytes: no string comparisons
        var problems = Problems()

        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "}") {
            s.index += 1
        } else {
            members: while true {
                let field = Field(try s.scanKey(), in: s)
                switch field {
                case .op:
                    hasOp = false
                    if s.peek() == UInt8(ascii: "\"") {
                        let token = try s.scanString()
                        kind = token.hasEscapes ? nil : CommandKind(knownOp: UnsafeRawBufferPointer(rebasing: raw[token.range]))
                        op = kind?.op ?? s.string(token)
                        hasOp = true
                    } else {
                        _ = try s.skipValue(maxDepth: inner)
                    }
                    problems.update(field, hasOp ? nil : #""op" must be a string"#)
                case .id:
                    id = try readInteger(&s, minimum: 1)
                    problems.update(field, id != nil ? nil : #""id" must be an integer from 1 to 2^53-1"#)
                case .topic:
                    topic = nil
                    var problem: String? = "invalid topic name"
                    if s.peek() == UInt8(ascii: "\"") {
                        let token = try s.scanString()
                        let name = s.string(token)
                        if TopicName.isValid(name) {
                            topic = name
                            problem = nil
                        }
                    } else {
                        _ = try s.skipValue(maxDepth: inner)
                        problem = #""topic" must be a string"#
                    }
                    problems.update(field, problem)
                case .data:
                    data = bytes[try s.skipValue(maxDepth: inner)]
                case .args:
                    let isObject = s.peek() == UInt8(ascii: "{")
                    let range = try s.skipValue(maxDepth: inner)
                    args = isObject ? bytes[range] : nil
                    problems.update(field, isObject ? nil : #""args" must be an object"#)
                case .recover, .since:
                    let position = try readPosition(&s)
                    if field == .recover { recover = position } else { since = position }
                    let name = field == .recover ? "recover" : "since"
                    problems.update(
                        field,
                        position != nil ? nil : #""\#(name)" must be {"epoch": string, "offset": integer >= 0}"#)
                case .limit:
                    limit = try readInteger(&s, minimum: 1)
                    problems.update(field, limit != nil ? nil : #""limit" must be a positive integer"#)
                case .token, .to, .key, .message, .engine, .action:
                    let value = try readString(&s)
                    switch field {
                    case .token: token = value
                    case .to: to = value
                    case .key: key = value
                    case .message: message = value
                    case .engine: engine = value
                    default: action = value
                    }
                    problems.update(field, value != nil ? nil : #""\#(field.name)" must be a string"#)
                case .other:
                    _ = try s.skipValue(maxDepth: inner)
                }

                s.skipWhitespace()
                switch s.peek() {
                case UInt8(ascii: ","):
                    s.index += 1
                    s.skipWhitespace()
                case UInt8(ascii: "}"):
                    s.index += 1
                    break members
                default:
                    throw s.error(.expectedCommaOrClose)
                }
            }
        }
        s.skipWhitespace()
        guard s.isAtEnd else { throw s.error(.trailingCharacters) }

        if let problem = problems.first { return .failure(.badRequest(problem, id: id)) }
        if !hasOp, let impliedOp {
            op = impliedOp.op
            kind = impliedOp
            hasOp = true
        }
        guard hasOp else { return .failure(.badRequest(#"missing "op""#, id: id)) }
        let command = Command(
            op: op, kind: kind ?? CommandKind(op: op), id: id, topic: topic, data: data, recover: recover,
            since: since, limit: limit, token: token, to: to, key: key, message: message, engine: engine,
            action: action, args: args)
        if validating, let error = command.validate() { return .failure(error) }
        return .success(command)
    }

    /// A string value's text, or `nil` (after checking and skipping it) for any other value.
    private static func readString(_ s: inout JSONScanner) throws(JSONSyntaxError) -> String? {
        guard s.peek() == UInt8(ascii: "\"") else {
            _ = try s.skipValue(maxDepth: JSONScanner.maxDepth - 1)
            return nil
        }
        return s.string(try s.scanString())
    }

    /// An integer value from `minimum` to 2^53 − 1, or `nil` (after checking and skipping it) for
    /// anything else, including `1.0` and `1e2`: an id or offset is written as plain digits.
    private static func readInteger(_ s: inout JSONScanner, minimum: Int) throws(JSONSyntaxError) -> Int? {
        switch s.peek() ?? 0 {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try s.scanNumber()
            guard let value = s.integerValue(token), value >= minimum else { return nil }
            return value
        default:
            _ = try s.skipValue(maxDepth: JSONScanner.maxDepth - 1)
            return nil
        }
    }

    /// `{"epoch": string, "offset": integer ≥ 0}` (other members checked and ignored, duplicates
    /// last-wins), or `nil` (after checking and skipping it) for anything else.
    private static func readPosition(_ s: inout JSONScanner) throws(JSONSyntaxError) -> StreamPosition? {
        let inner = JSONScanner.maxDepth - 2
        guard s.peek() == UInt8(ascii: "{") else {
            _ = try s.skipValue(maxDepth: inner + 1)
            return nil
        }
        s.index += 1
        var epoch: String?
        var offset: Int?
        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "}") {
            s.index += 1
            return nil
        }
        while true {
            let key = try s.scanKey()
            if s.stringEquals(key, "epoch") {
                epoch = try readString(&s)
            } else if s.stringEquals(key, "offset") {
                offset = try readInteger(&s, minimum: 0)
            } else {
                _ = try s.skipValue(maxDepth: inner)
            }
            s.skipWhitespace()
            switch s.peek() {
            case UInt8(ascii: ","):
                s.index += 1
                s.skipWhitespace()
            case UInt8(ascii: "}"):
                s.index += 1
                guard let epoch, let offset else { return nil }
                return StreamPosition(epoch: epoch, offset: UInt64(offset))
            default:
                throw s.error(.expectedCommaOrClose)
            }
        }
    }

    /// The top-level keys the parser knows.
    private enum Field: CaseIterable {
        case op, id, topic, data, recover, since, limit, token, to, key, message, engine, action, args, other

        var name: StaticString {
            switch self {
            case .op: "op"
            case .id: "id"
            case .topic: "topic"
            case .data: "data"
            case .recover: "recover"
            case .since: "since"
            case .limit: "limit"
            case .token: "token"
            case .to: "to"
            case .key: "key"
            case .message: "message"
            case .engine: "engine"
            case .action: "action"
            case .args: "args"
            case .other: ""
            }
        }

        /// The field a key names; unescaped keys (the normal case) are told apart by length first,
        /// without building anything.
        init(_ key: JSONScanner.StringToken, in s: JSONScanner) {
            @inline(__always)
            func matches(_ field: Field) -> Bool { s.stringEquals(key, field.name) }
            if key.hasEscapes {
                self = Field.allCases.first { $0 != .other && matches($0) } ?? .other
                return
            }
            switch key.range.count {
            case 2: self = matches(.op) ? .op : matches(.id) ? .id : matches(.to) ? .to : .other
            case 3: self = matches(.key) ? .key : .other
            case 4: self = matches(.data) ? .data : matches(.args) ? .args : .other
            case 5:
                self =
                    matches(.topic) ? .topic : matches(.since) ? .since
                    : matches(.limit) ? .limit : matches(.token) ? .token : .other
            case 6: self = matches(.engine) ? .engine : matches(.action) ? .action : .other
            case 7: self = matches(.recover) ? .recover : matches(.message) ? .message : .other
            default: self = .other
            }
        }
    }

    /// The current problem of each field, in the order the fields first went wrong. Empty (and so
    /// free) for a well-formed command; a later valid duplicate clears an earlier problem.
    private struct Problems {
        private var list: [(field: Field, message: String)] = []

        var first: String? { list.first?.message }

        mutating func update(_ field: Field, _ message: String?) {
            if !list.isEmpty { list.removeAll { $0.field == field } }
            if let message { list.append((field, message)) }
        }
    }
}

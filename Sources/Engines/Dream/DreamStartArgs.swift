import Foundation

/// The `args` of `{"action":"start"}`, checked against the limits.
struct DreamStartArgs: Sendable, Equatable {
    var prompt: String
    var maxTokens: Int
    var seed: UInt64
    var paceMs: Int

    /// Parses and checks `args` (a JSON object, or absent: every field has a default).
    /// - Throws: `bad_request` for a wrong type or a value out of range, `too_large` for a prompt
    ///   or `max_tokens` over its limit.
    static func parse(_ args: [UInt8]?, _ config: DreamConfig,
                      randomSeed: () -> UInt64 = { UInt64.random(in: 0...UInt64.max) }) throws(EngineError) -> DreamStartArgs {
        var object: [String: Any] = [:]
        if let args, !args.isEmpty {
            guard let o = try? JSONSerialization.jsonObject(with: Data(args)) as? [String: Any] else {
                throw EngineError(.badRequest, "args must be a JSON object")
            }
            object = o
        }
        var prompt = ""
        if let p = object["prompt"], !(p is NSNull) {
            guard let s = p as? String else { throw EngineError(.badRequest, "prompt must be a string") }
            prompt = s
        }
        let length = prompt.unicodeScalars.count
        guard length <= config.maxPromptLength else {
            throw EngineError(.tooLarge, "prompt is \(length) characters; the limit is \(config.maxPromptLength)")
        }
        let maxTokens = try integer(object, "max_tokens") ?? Int64(min(config.defaultMaxTokens, config.maxTokens))
        guard maxTokens >= 1 else { throw EngineError(.badRequest, "max_tokens must be at least 1") }
        guard maxTokens <= config.maxTokens else {
            throw EngineError(.tooLarge, "max_tokens \(maxTokens) is over the limit of \(config.maxTokens)")
        }
        let pace = try integer(object, "pace_ms") ?? Int64(config.paceMs)
        guard pace >= config.paceRange.lowerBound && pace <= config.paceRange.upperBound else {
            throw EngineError(.badRequest,
                              "pace_ms must be \(config.paceRange.lowerBound)...\(config.paceRange.upperBound), not \(pace)")
        }
        let seed: UInt64
        if let s = object["seed"], !(s is NSNull) {
            guard let n = s as? NSNumber, !isBool(n), let v = UInt64(n.stringValue) ?? Int64(n.stringValue).map({ UInt64(bitPattern: $0) })
            else { throw EngineError(.badRequest, "seed must be an integer") }
            seed = v
        } else {
            seed = randomSeed()
        }
        return DreamStartArgs(prompt: prompt, maxTokens: Int(maxTokens), seed: seed, paceMs: Int(pace))
    }

    /// An integer field, nil when absent or null.
    private static func integer(_ o: [String: Any], _ key: String) throws(EngineError) -> Int64? {
        guard let v = o[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, !isBool(n), let i = Int64(n.stringValue) else {
            throw EngineError(.badRequest, "\(key) must be an integer")
        }
        return i
    }

    private static func isBool(_ n: NSNumber) -> Bool {
        // JSON true/false come back as NSNumber too; their type is the boolean one.
        String(cString: n.objCType) == "c" && (n.stringValue == "true" || n.stringValue == "false" || type(of: n) != NSNumber.self)
    }
}

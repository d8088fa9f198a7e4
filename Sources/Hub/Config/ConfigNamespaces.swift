import Broadcast

/// Reads and renders the `namespaces` option: a JSON object from namespace name to its rules,
/// each field optional with the defaults of `NamespaceRules` (anyone, anyone, 100, 300 s, on).
///
/// ```json
/// {"public": {}, "chat": {"subscribe": "authenticated", "publish": "authenticated", "history_size": 50}}
/// ```
enum ConfigNamespaces {
    static func parse(text: String) throws(ConfigError) -> Namespaces {
        let json: ConfigJSON
        do {
            json = try ConfigJSONParser.parse(Array(text.utf8))
        } catch {
            throw .badValue(value: text, expected: "a JSON object of namespaces (\(error.reason))")
        }
        return try parse(json)
    }

    static func parse(_ json: ConfigJSON) throws(ConfigError) -> Namespaces {
        guard case .object(let members) = json else {
            throw .badValue(value: json.description, expected: "a JSON object of namespaces")
        }
        var table: [String: NamespaceRules] = [:]
        for (name, value) in members {
            guard !name.isEmpty, !name.contains("."), TopicName.isValid(name) else {
                throw .badValue(value: name, expected: "a namespace name: [A-Za-z0-9_:@-]+ without dots")
            }
            table[name] = try rules(name, value)
        }
        return Namespaces(table)
    }

    private static func rules(_ name: String, _ json: ConfigJSON) throws(ConfigError) -> NamespaceRules {
        guard case .object(let fields) = json else {
            throw .badValue(value: json.description, expected: "an object of rules for namespace \(name)")
        }
        var r = NamespaceRules()
        for (key, value) in fields {
            let context = "namespaces.\(name).\(key)"
            switch (key, value) {
            case ("subscribe", .string(let s)):
                r.subscribe = try permission(s, context)
            case ("publish", .string(let s)):
                r.publish = try permission(s, context)
            case ("history_size", .number(let n)):
                r.historySize = try ConfigValueParser.integer(n, in: 0...1_000_000, expected: "\(context): an integer 0...1000000")
            case ("history_ttl", .number(let n)):
                r.historyTTL = try ConfigValueParser.duration(n)
            case ("presence", .bool(let b)):
                r.presence = b
            case ("mirror", .bool(let b)):
                r.mirror = b
            default:
                throw .badValue(value: value.description,
                                expected: "\(context): one of subscribe/publish (anyone, authenticated, admin, nobody), history_size (integer), history_ttl (seconds), presence, mirror (booleans)")
            }
        }
        return r
    }

    private static func permission(_ text: String, _ context: String) throws(ConfigError) -> Permission {
        guard let p = Permission(rawValue: text) else {
            throw .badValue(value: text, expected: "\(context): anyone, authenticated, admin or nobody")
        }
        return p
    }

    /// Compact JSON, names sorted, for `--help` and round trips.
    static func render(_ namespaces: Namespaces) -> String {
        let body = namespaces.rules.keys.sorted().map { name -> String in
            let r = namespaces.rules[name]!
            return "\"\(name)\":{\"subscribe\":\"\(r.subscribe.rawValue)\",\"publish\":\"\(r.publish.rawValue)\","
                + "\"history_size\":\(r.historySize),\"history_ttl\":\(r.historyTTL == r.historyTTL.rounded() ? String(Int(r.historyTTL)) : String(r.historyTTL)),"
                + "\"presence\":\(r.presence),\"mirror\":\(r.mirror)}"
        }
        return "{" + body.joined(separator: ",") + "}"
    }
}

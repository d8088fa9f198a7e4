import Foundation
/// The table of every configurable option, in the order `--help` lists them.
///
/// Table-driven so that adding a setting is one row here plus one field in `HubConfig`; the
/// loader, the help text and the tests all iterate this table.
enum ConfigOptions {
    /// Every option, in help order.
    static let all: [ConfigOption] = [
        string("host", \.host, valueName: "HOST", help: "Address to listen on.", parse: ConfigValueParser.host),
        integer("port", \.port, in: 0...65535, valueName: "PORT", help: "TCP port to listen on; 0 picks a free port."),
        string("data_dir", \.dataDir, valueName: "DIR", help: "Directory for tokens and engine data.",
               parse: ConfigValueParser.path),
        integer("loops", \.loops, in: 1...256, valueName: "N",
                help: "Event-loop threads; the default is the number of active cores."),
        ConfigOption(
            key: "log_level", valueName: "LEVEL", help: "Lowest log level written: trace, debug, info, warning, error.",
            render: { $0.logLevel.name },
            apply: { config, text throws(ConfigError) in config.logLevel = try ConfigValueParser.logLevel(text) }),
        boolean("echo", \.echo, help: "Serve GET /echo, the WebSocket conformance endpoint."),

        duration("handshake_timeout", \.handshakeTimeout, help: "Time allowed for the HTTP upgrade request."),
        duration("ping_interval", \.pingInterval, help: "How often the hub pings each client."),
        duration("idle_timeout", \.idleTimeout, help: "Close a client that sends no frame for this long."),
        duration("close_timeout", \.closeTimeout, help: "Wait this long for the peer's close after sending one."),
        duration("drain_timeout", \.drainTimeout, help: "On SIGTERM/SIGINT, time connections get to close."),

        size("max_head_bytes", \.maxHeadBytes, help: "Largest HTTP request head."),
        integer("max_headers", \.maxHeaders, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Most header fields in an HTTP request."),
        size("max_message_bytes", \.maxMessageBytes, help: "Largest message on /ws endpoints (larger: close 1009)."),
        size("echo_max_message_bytes", \.echoMaxMessageBytes, help: "Largest message on /echo."),
        integer("max_fragments", \.maxFragments, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Most fragments per message on /ws endpoints (/echo is unlimited)."),
        size("max_outbound_bytes", \.maxOutboundBytes,
             help: "Outbound bytes queued per connection before close 4408 (slow consumer)."),
        integer("max_connections", \.maxConnections, in: 0...ConfigValueParser.maxSize, valueName: "N",
                help: "Most concurrent connections; 0 means as many as the file-descriptor limit allows."),

        integer("push_coalesce_ms", \.pushCoalesceMs, in: 0...100, valueName: "MS",
                help: "Hold fan-out pushes up to this long to send several per write (fewer syscalls, more latency); 0: off."),
        boolean("deflate", \.deflate, help: "Negotiate permessage-deflate (RFC 7692) when offered."),
        size("deflate_threshold", \.deflateThreshold, minimum: 0,
             help: "Send messages shorter than this uncompressed; 0 compresses all."),
        ConfigOption(
            key: "deflate_client_max_window_bits", valueName: "BITS",
            help: "client_max_window_bits to request, 8...15, or none.",
            render: { $0.deflateClientMaxWindowBits.map(String.init) ?? "none" },
            apply: { config, text throws(ConfigError) in
                config.deflateClientMaxWindowBits = try ConfigValueParser.windowBits(text)
            }),
        ConfigOption(
            key: "subprotocols", valueName: "LIST",
            help: "Subprotocols to select when offered, comma-separated (a JSON array in the file).",
            kind: .list,
            render: { $0.subprotocols.joined(separator: ",") },
            apply: { config, text throws(ConfigError) in config.subprotocols = try ConfigValueParser.subprotocols(text) },
            applyList: { config, items throws(ConfigError) in
                config.subprotocols = try ConfigValueParser.subprotocols(items)
            }),

        boolean("anonymous", \.anonymous, help: "Serve /ws to anonymous clients."),
        string("node", \.node, valueName: "NAME", help: "Node name in welcome pushes; empty picks hub-<random>.",
               parse: { text throws(ConfigError) in text }),
        size("max_command_bytes", \.maxCommandBytes, help: "Largest command on /ws endpoints (larger: too_large error)."),
        integer("max_topics", \.maxTopics, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Most topics one connection may subscribe to."),
        ConfigOption(
            key: "rate_limit", valueName: "PER_SECOND", help: "Commands per second per connection (token bucket).",
            render: { renderSeconds($0.rateLimit) },
            apply: { config, text throws(ConfigError) in config.rateLimit = try ConfigValueParser.duration(text) }),
        integer("rate_burst", \.rateBurst, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Commands allowed in a burst above the rate."),
        integer("rate_limit_strikes", \.rateLimitStrikes, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Rate-limited commands in a row before close 4429."),
        string("jwt_secret", \.jwtSecret, valueName: "SECRET", help: "HS256 secret for JWTs; empty: JWTs are refused.",
               parse: { text throws(ConfigError) in text }),
        duration("jwt_leeway", \.jwtLeeway, help: "Clock skew allowed on a JWT's exp and nbf."),
        duration("admin_interval", \.adminInterval, help: "Seconds between admin.metrics snapshots on /ws/admin."),
        duration("auth_timeout", \.authTimeout, help: "Time to present a token on /ws/auth and /ws/admin (then close 4401)."),
        ConfigOption(
            key: "namespaces", valueName: "JSON",
            help: "Namespaces: {\"name\": {\"subscribe\", \"publish\", \"history_size\", \"history_ttl\", \"presence\", \"mirror\"}}.",
            kind: .json,
            render: { ConfigNamespaces.render($0.namespaces) },
            apply: { config, text throws(ConfigError) in
                config.namespaces = try ConfigNamespaces.parse(text: text)
            },
            applyJSON: { config, json throws(ConfigError) in
                config.namespaces = try ConfigNamespaces.parse(json)
            }),
        ConfigOption(
            key: "api_keys", valueName: "LIST",
            help: "Bearer keys for POST /api/v1/publish, comma-separated (a JSON array in the file).",
            kind: .list,
            render: { $0.apiKeys.isEmpty ? "" : "(\($0.apiKeys.count) keys)" },
            apply: { config, text throws(ConfigError) in
                config.apiKeys = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            },
            applyList: { config, items throws(ConfigError) in config.apiKeys = items.filter { !$0.isEmpty } }),
        ConfigOption(
            key: "allowed_origins", valueName: "LIST",
            help: "Origins allowed on /ws, /ws/auth, /ws/admin (origin, host[:port] or *); empty: same host only.",
            kind: .list,
            render: { $0.allowedOrigins.joined(separator: ",") },
            apply: { config, text throws(ConfigError) in
                config.allowedOrigins = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            },
            applyList: { config, items throws(ConfigError) in
                config.allowedOrigins = items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }),
        integer("auth_failures_per_minute", \.authFailuresPerMinute, in: 0...ConfigValueParser.maxSize, valueName: "N",
                help: "Failed token checks per IP and minute before its auth and API requests get 429; 0: no limit."),
        ConfigOption(
            key: "engines", valueName: "LIST",
            help: "Engines to run, comma-separated (a JSON array in the file): mirror, telepathy, dream; empty: none.",
            kind: .list,
            render: { $0.engines.joined(separator: ",") },
            apply: { config, text throws(ConfigError) in
                config.engines = try ConfigValueParser.engines(text.split(separator: ",").map(String.init), original: text)
            },
            applyList: { config, items throws(ConfigError) in
                config.engines = try ConfigValueParser.engines(items, original: items.joined(separator: ","))
            }),
        duration("engine_timeout", \.engineTimeout, help: "Time one engine call may take before it fails (and counts against its breaker)."),
        ConfigOption(
            key: "mirror_alpha", valueName: "ALPHA",
            help: "Mirroring: weight of a user's newest message in their rolling profile, 0 < alpha <= 1.",
            render: { String($0.mirrorAlpha) },
            apply: { config, text throws(ConfigError) in
                guard let v = Double(text), v.isFinite, v > 0, v <= 1 else {
                    throw .badValue(value: text, expected: "a number > 0 and <= 1")
                }
                config.mirrorAlpha = v
            }),
        duration("mirror_profile_interval", \.mirrorProfileInterval,
                 help: "Mirroring: least time between two profile pushes to one user (updates in between coalesce)."),
        integer("mirror_max_users", \.mirrorMaxUsers, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Mirroring: most users with a profile (the least recently active is evicted)."),
        integer("mirror_queue_size", \.mirrorQueueSize, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Mirroring: publications waiting for analysis before new ones are dropped."),
        integer("mirror_window_words", \.mirrorWindowWords, in: 1...100_000, valueName: "N",
                help: "Mirroring: words per user in the vocabulary-richness (type/token ratio) window."),
        integer("mirror_max_text_chars", \.mirrorMaxTextChars, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Mirroring: longest text analysed, in characters (the rest is ignored)."),
        duration("mirror_cache_ttl", \.mirrorCacheTTL, help: "How long GET /api/v1/personality/{user} answers are cached."),
        size("mirror_cache_bytes", \.mirrorCacheBytes, help: "Byte budget of the personality cache."),
        duration("telepathy_expiry", \.telepathyExpiry, help: "Time a direct message is kept in the mailbox, acked or not."),
        integer("telepathy_max_pending", \.telepathyMaxPending, in: 1...ConfigValueParser.maxSize, valueName: "N",
                help: "Unacked direct messages per recipient before send to them is refused."),
        // The dream engine (docs/engines/dream.md).
        string("dream_upstream_url", \.dreamUpstreamURL, valueName: "URL",
               help: "OpenAI-compatible server for dream streams (http:// or https://); empty: the Markov generator only.",
               parse: ConfigValueParser.dreamUpstreamURL),
        string("dream_upstream_key", \.dreamUpstreamKey, valueName: "KEY", help: "Bearer key for the dream upstream.",
               parse: { text throws(ConfigError) in text }),
        string("dream_upstream_ca", \.dreamUpstreamCA, valueName: "FILE",
               help: "Trusted CA certificates (PEM) for an https dream upstream; empty: the system's CA store.",
               parse: { text throws(ConfigError) in text.isEmpty ? text : try ConfigValueParser.path(text) }),
        string("dream_upstream_model", \.dreamUpstreamModel, valueName: "NAME", help: "The model name sent to the dream upstream.",
               parse: { text throws(ConfigError) in text }),
        duration("dream_upstream_timeout", \.dreamUpstreamTimeout,
                 help: "Time the dream upstream may take to its first token, or stay silent after (then: the Markov fallback)."),
        integer("dream_pace_ms", \.dreamPaceMs, in: 1...10_000, valueName: "MS", help: "Default milliseconds between two dream tokens."),
        integer("dream_max_tokens", \.dreamMaxTokens, in: 1...100_000, valueName: "N", help: "Most tokens one dream stream may ask for."),
        integer("dream_max_streams", \.dreamMaxStreams, in: 1...100_000, valueName: "N", help: "Most dream streams running at once."),
        integer("dream_max_streams_per_user", \.dreamMaxStreamsPerUser, in: 1...100_000, valueName: "N",
                help: "Most dream streams one user may run at once."),
        string("dream_corpus", \.dreamCorpus, valueName: "FILE",
               help: "Training text of the dream Markov generator; empty: the shipped KJV selection.",
               parse: { text throws(ConfigError) in text.isEmpty ? text : try ConfigValueParser.path(text) }),
    ]

    /// Options whose values are secrets: error messages never repeat them.
    static let secretKeys: Set<String> = ["api_keys", "jwt_secret", "dream_upstream_key"]

    /// `value` as an error message may show it for the option `key`.
    static func shown(_ value: String, key: String) -> String {
        secretKeys.contains(key) ? "(hidden)" : value
    }

    /// The option with this config-file key.
    static func option(key: String) -> ConfigOption? { byKey[key] }

    /// The option with this flag, and whether the flag was the negated `--no-…` form.
    static func option(flag: String) -> (option: ConfigOption, negated: Bool)? { byFlag[flag] }

    private static let byKey: [String: ConfigOption] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    private static let byFlag: [String: (option: ConfigOption, negated: Bool)] = {
        var table: [String: (option: ConfigOption, negated: Bool)] = [:]
        for option in all {
            table[option.flag] = (option, false)
            if let negated = option.negatedFlag { table[negated] = (option, true) }
        }
        return table
    }()

    // MARK: Row builders

    private static func string(
        _ key: String, _ field: WritableKeyPath<HubConfig, String> & Sendable, valueName: String, help: String,
        parse: @escaping @Sendable (String) throws(ConfigError) -> String
    ) -> ConfigOption {
        ConfigOption(
            key: key, valueName: valueName, help: help,
            render: { $0[keyPath: field] },
            apply: { config, text throws(ConfigError) in config[keyPath: field] = try parse(text) })
    }

    private static func integer(
        _ key: String, _ field: WritableKeyPath<HubConfig, Int> & Sendable, in range: ClosedRange<Int>,
        valueName: String, help: String
    ) -> ConfigOption {
        let expected = "an integer \(range.lowerBound)...\(range.upperBound)"
        return ConfigOption(
            key: key, valueName: valueName, help: help,
            render: { String($0[keyPath: field]) },
            apply: { config, text throws(ConfigError) in
                config[keyPath: field] = try ConfigValueParser.integer(text, in: range, expected: expected)
            })
    }

    private static func size(
        _ key: String, _ field: WritableKeyPath<HubConfig, Int> & Sendable, minimum: Int = 1, help: String
    ) -> ConfigOption {
        ConfigOption(
            key: key, valueName: "BYTES", help: help,
            render: { String($0[keyPath: field]) },
            apply: { config, text throws(ConfigError) in
                config[keyPath: field] = try ConfigValueParser.size(text, minimum: minimum)
            })
    }

    private static func duration(
        _ key: String, _ field: WritableKeyPath<HubConfig, Double> & Sendable, help: String
    ) -> ConfigOption {
        ConfigOption(
            key: key, valueName: "SECONDS", help: help,
            render: { renderSeconds($0[keyPath: field]) },
            apply: { config, text throws(ConfigError) in config[keyPath: field] = try ConfigValueParser.duration(text) })
    }

    private static func boolean(
        _ key: String, _ field: WritableKeyPath<HubConfig, Bool> & Sendable, help: String
    ) -> ConfigOption {
        ConfigOption(
            key: key, valueName: "BOOL", help: help, kind: .boolean,
            render: { $0[keyPath: field] ? "true" : "false" },
            apply: { config, text throws(ConfigError) in config[keyPath: field] = try ConfigValueParser.boolean(text) })
    }

    /// `25` rather than `25.0`, so help and round trips read like what a user would type.
    private static func renderSeconds(_ seconds: Double) -> String {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int(seconds)) }
        return String(seconds)
    }
}

import Glibc

/// `hub token create|list|revoke`: manage the token store from the shell, also while a hub runs
/// on the same data directory (WAL lets both share the file; writers wait up to 5 s for each other).
///
/// Uses a `TokenStore` directly: a short-lived process with one thread needs no actor. Exit status
/// 0 on success, 2 for a usage error, 1 when the store fails. Every create and revoke leaves an
/// audit row with actor `cli`.
enum TokenCommand {
    static let helpText = """
        Usage: hub token <command> [options]

        Commands:
          create --user ID [--admin | --api] [--ttl SECONDS]
                        Issue a token. Prints the secret on stdout, once (only its SHA-256 is
                        stored), then its id, user, kind and expiry on stderr.
          list [--all]  One line per token: id user kind created expires (ISO-8601 UTC, - for
                        never). Revoked tokens only with --all, with a revoked=TIME column.
                        Never shows a secret.
          revoke TOKEN_OR_ID
                        Revoke one token by its secret or its id (tok_…); prints how many.
          revoke --user ID
                        Revoke every token of a user; prints how many.

        Options for every command:
          --data-dir DIR    The hub's data directory (default: HUB_DATA_DIR, else ./data);
                            the database is DIR/hub.sqlite.
          --config FILE     Read data_dir from the hub's config file, as `hub serve` does.
          -h, --help        Show this help.

        """

    /// A command line mistake, reported with exit status 2.
    private struct UsageError: Error {
        let message: String
    }

    /// The options of any subcommand, as parsed.
    private struct Options {
        var positional: [String] = []
        var user: String?
        var admin = false
        var api = false
        var ttl: Int64?
        var all = false
        var configArguments: [String] = []
    }

    /// Runs `hub token` with the arguments after `token`; returns the exit status.
    static func run(_ args: [String], environment: [String: String]) -> Int32 {
        if args.contains(where: { $0 == "--help" || $0 == "-h" }) || args.first == "help" {
            HubMain.writeStdout(helpText)
            return 0
        }
        guard let command = args.first else {
            HubMain.writeStderr("hub token: a command is required\n\n" + helpText)
            return 2
        }
        let options: Options
        let dataDir: String
        do {
            options = try parse(Array(args.dropFirst()), for: command)
            dataDir = try ConfigLoader.config(arguments: options.configArguments, environment: environment).dataDir
        } catch let error as UsageError {
            HubMain.writeStderr("hub token: \(error.message)\nRun `hub token --help` for the options.\n")
            return 2
        } catch {
            HubMain.writeStderr("hub token: \(error)\n")
            return 2
        }
        do {
            let store = try TokenStore.open(dataDir: dataDir)
            switch command {
            case "create": return try create(options, store)
            case "list": return try list(options, store)
            default: return try revoke(options, store)
            }
        } catch {
            HubMain.writeStderr("hub token: \(error)\n")
            return 1
        }
    }

    // MARK: Commands

    private static func create(_ options: Options, _ store: TokenStore) throws(StoreError) -> Int32 {
        guard let user = options.user else { return usage("create needs --user ID") }
        let kind: TokenKind = options.admin ? .admin : options.api ? .api : .user
        let (info, secret) = try store.createToken(user: user, kind: kind, ttl: options.ttl, auditActor: "cli")
        HubMain.writeStdout(secret + "\n")
        HubMain.writeStderr("created \(info.id) user=\(info.user) kind=\(info.kind.rawValue) expires=\(format(info.expires))\n")
        return 0
    }

    private static func list(_ options: Options, _ store: TokenStore) throws(StoreError) -> Int32 {
        var out = ""
        for token in try store.listTokens() where options.all || token.revoked == nil {
            out += "\(token.id) \(token.user) \(token.kind.rawValue) \(format(token.created)) \(format(token.expires))"
            if let revoked = token.revoked { out += " revoked=\(format(revoked))" }
            out += "\n"
        }
        HubMain.writeStdout(out)
        return 0
    }

    private static func revoke(_ options: Options, _ store: TokenStore) throws(StoreError) -> Int32 {
        let count: Int
        switch (options.user, options.positional.first) {
        case (let user?, nil): count = try store.revokeUser(user, auditActor: "cli")
        case (nil, let token?): count = try store.revoke(secretOrID: token, auditActor: "cli")
        default: return usage("revoke takes a token or id, or --user ID")
        }
        HubMain.writeStdout("revoked \(count) token\(count == 1 ? "" : "s")\n")
        return 0
    }

    // MARK: Parsing

    private static func parse(_ args: [String], for command: String) throws(UsageError) -> Options {
        guard ["create", "list", "revoke"].contains(command) else {
            throw UsageError(message: "unknown command \"\(command)\": expected create, list or revoke")
        }
        var options = Options()
        var index = 0
        while index < args.count {
            let argument = args[index]
            index += 1
            guard argument.hasPrefix("--") else {
                options.positional.append(argument)
                continue
            }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            func value() throws(UsageError) -> String {
                if let inline { return inline }
                guard index < args.count, !args[index].hasPrefix("--") else {
                    throw UsageError(message: "\(name) needs a value")
                }
                index += 1
                return args[index - 1]
            }
            func flag() throws(UsageError) -> Bool {
                guard inline == nil else { throw UsageError(message: "\(name) takes no value") }
                return true
            }
            switch (command, name) {
            case (_, "--data-dir"): options.configArguments += ["--data-dir", try value()]
            case (_, "--config"): options.configArguments += ["--config", try value()]
            case ("create", "--user"), ("revoke", "--user"): options.user = try value()
            case ("create", "--admin"): options.admin = try flag()
            case ("create", "--api"): options.api = try flag()
            case ("create", "--ttl"):
                let text = try value()
                guard let ttl = Int64(text), ttl > 0 else {
                    throw UsageError(message: "--ttl needs a positive number of seconds, not \"\(text)\"")
                }
                options.ttl = ttl
            case ("list", "--all"): options.all = try flag()
            default: throw UsageError(message: "unknown option \(name) for `hub token \(command)`")
            }
        }
        switch command {
        case "create":
            guard options.positional.isEmpty else { throw UsageError(message: "unexpected argument \"\(options.positional[0])\"") }
            guard !(options.admin && options.api) else { throw UsageError(message: "--admin and --api exclude each other") }
            guard options.user != nil else { throw UsageError(message: "create needs --user ID") }
        case "list":
            guard options.positional.isEmpty else { throw UsageError(message: "unexpected argument \"\(options.positional[0])\"") }
        default:
            guard (options.user != nil) != (options.positional.count == 1), options.positional.count <= 1 else {
                throw UsageError(message: "revoke takes one token or id, or --user ID")
            }
        }
        return options
    }

    private static func usage(_ message: String) -> Int32 {
        HubMain.writeStderr("hub token: \(message)\nRun `hub token --help` for the options.\n")
        return 2
    }

    // MARK: Formatting

    /// `2026-12-04T11:00:00Z`, or `-` for nil (never).
    static func format(_ seconds: Int64?) -> String {
        guard let seconds else { return "-" }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

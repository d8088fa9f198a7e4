#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the command line, the environment and the config file into a `HubCommand`.
///
/// Precedence, lowest first: `HubConfig` defaults < JSON config file (`--config FILE` or
/// `HUB_CONFIG`) < `HUB_*` variables < flags. Later flags win over earlier ones. The loader is
/// pure apart from `readFile`, so every rule is testable without a file system.
enum ConfigLoader {
    /// Reads the whole command line.
    /// - Parameters:
    ///   - arguments: the arguments after the program name (`CommandLine.arguments.dropFirst()`).
    ///   - environment: the process environment; `HUB_*` names not in `ConfigOptions.all` (and not
    ///     `HUB_CONFIG`) are ignored, since other tools and later features may define their own.
    ///   - readFile: reads the config file; injected so tests need no files.
    /// - Throws: `ConfigError` naming the flag, variable or key and where it came from.
    static func load(
        arguments: [String],
        environment: [String: String],
        readFile: (String) throws -> [UInt8] = ConfigLoader.readFile(atPath:)
    ) throws(ConfigError) -> HubCommand {
        guard let first = arguments.first else {
            return .serve(try config(flags: [], environment: environment, readFile: readFile))
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "serve": return try serve(rest, environment: environment, readFile: readFile)
        // The token commands parse their own arguments (a later issue), --help included.
        case "token": return .token(rest)
        case "help": return .help(ConfigOptions.helpText)
        case "version": return .version(HubVersion.current)
        default:
            guard first.hasPrefix("-") else { throw .unknownCommand(first) }
            return try serve(arguments, environment: environment, readFile: readFile)
        }
    }

    /// The configuration for `serve` from flag arguments (no command word), environment and file;
    /// also for other commands that want the daemon's settings, such as its data directory.
    static func config(
        arguments: [String],
        environment: [String: String],
        readFile: (String) throws -> [UInt8] = ConfigLoader.readFile(atPath:)
    ) throws(ConfigError) -> HubConfig {
        try config(flags: parseFlags(arguments), environment: environment, readFile: readFile)
    }

    /// Reads a whole file with POSIX calls; at most 1 MiB, since a larger "config" is a mistake.
    static func readFile(atPath path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= 1 << 20 else { throw FileReadError(errno: EFBIG) }
        }
    }

    /// A failed `open`/`read`, described with `strerror` for the operator.
    struct FileReadError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }

    // MARK: Steps

    /// One flag from the command line, as written, with its value.
    struct FlagAssignment: Equatable {
        /// The option's key (`port`), or `config` for `--config`.
        let key: String
        /// The flag as the user wrote it, for messages: `--echo` or `--no-echo`.
        let flag: String
        let value: String
    }

    private static func serve(
        _ arguments: [String], environment: [String: String], readFile: (String) throws -> [UInt8]
    ) throws(ConfigError) -> HubCommand {
        // --help and --version win wherever they are, even after a bad flag: asking for help must work.
        for argument in arguments {
            if argument == "--help" || argument == "-h" { return .help(ConfigOptions.helpText) }
            if argument == "--version" { return .version(HubVersion.current) }
        }
        return .serve(try config(flags: parseFlags(arguments), environment: environment, readFile: readFile))
    }

    /// Splits flag arguments into assignments without applying them, so the config file path is
    /// known before anything is applied in precedence order.
    static func parseFlags(_ arguments: [String]) throws(ConfigError) -> [FlagAssignment] {
        var assignments: [FlagAssignment] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else { throw .unexpectedArgument(argument) }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw .unknownFlag(argument, suggestion: nil)
            }
            let name: String
            let inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
                inline = nil
            }

            // The next argument is a value unless it looks like another long flag.
            func nextValue() throws(ConfigError) -> String {
                if let inline { return inline }
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw .missingValue(flag: name)
                }
                index += 1
                return arguments[index - 1]
            }

            if name == "--config" {
                assignments.append(FlagAssignment(key: "config", flag: name, value: try nextValue()))
                continue
            }
            guard let (option, negated) = ConfigOptions.option(flag: name) else {
                throw .unknownFlag(name, suggestion: closest(to: name, in: allFlags))
            }
            let value: String
            if negated {
                guard inline == nil else { throw .unexpectedValue(flag: name) }
                value = "false"
            } else if option.kind == .boolean, inline == nil {
                // Bare `--echo` means true; `--echo off` takes the word only if it is a boolean.
                if index < arguments.count, ConfigValueParser.isBooleanWord(arguments[index]) {
                    value = arguments[index]
                    index += 1
                } else {
                    value = "true"
                }
            } else {
                value = try nextValue()
            }
            assignments.append(FlagAssignment(key: option.key, flag: name, value: value))
        }
        return assignments
    }

    private static func config(
        flags: [FlagAssignment], environment: [String: String], readFile: (String) throws -> [UInt8]
    ) throws(ConfigError) -> HubConfig {
        var config = HubConfig()

        let fromFlag = flags.last { $0.key == "config" }
        let environmentPath = environment["HUB_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let path = fromFlag?.value ?? environmentPath {
            let source: ConfigSource = fromFlag != nil ? .flag : .environment
            guard !path.isEmpty else {
                throw .invalidValue(value: path, name: "--config", source: .flag, expected: "a non-empty path")
            }
            try applyFile(at: path, via: source, to: &config, readFile: readFile)
        }

        for option in ConfigOptions.all {
            guard let value = environment[option.environmentName] else { continue }
            try apply(option, value, name: option.environmentName, source: .environment, to: &config)
        }

        for assignment in flags where assignment.key != "config" {
            guard let option = ConfigOptions.option(key: assignment.key) else { continue }
            try apply(option, assignment.value, name: assignment.flag, source: .flag, to: &config)
        }
        return config
    }

    private static func applyFile(
        at path: String, via source: ConfigSource, to config: inout HubConfig, readFile: (String) throws -> [UInt8]
    ) throws(ConfigError) {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw .unreadableFile(path: path, source: source, reason: String(describing: error))
        }
        let document: ConfigJSON
        do {
            document = try ConfigJSONParser.parse(bytes)
        } catch {
            throw .malformedFile(path: path, line: error.line, column: error.column, reason: error.reason)
        }
        guard case .object(let members) = document else {
            throw .malformedFile(path: path, line: 1, column: 1, reason: "expected a JSON object of option keys")
        }

        let fileSource = ConfigSource.file(path)
        var seen: Set<String> = []
        for (key, value) in members {
            guard seen.insert(key).inserted else { throw .duplicateKey(key, file: path) }
            guard let option = ConfigOptions.option(key: key) else {
                throw .unknownKey(key, file: path, suggestion: closest(to: key, in: ConfigOptions.all.map(\.key)))
            }
            let name = "key \"\(key)\""
            switch value {
            case .string(let text), .number(let text):
                try apply(option, text, name: name, source: fileSource, to: &config)
            case .bool(let bool):
                try apply(option, bool ? "true" : "false", name: name, source: fileSource, to: &config)
            case .object where option.kind == .json, .array where option.kind == .json:
                do {
                    try option.applyJSON?(&config, value)
                } catch {
                    throw contextualized(error, name: name, source: fileSource)
                }
            case .array(let items) where option.kind == .list:
                var strings: [String] = []
                for item in items {
                    guard case .string(let string) = item else {
                        throw .invalidValue(value: ConfigOptions.shown(value.description, key: option.key), name: name,
                                            source: fileSource, expected: "an array of strings")
                    }
                    strings.append(string)
                }
                do {
                    try option.applyList?(&config, strings)
                } catch {
                    throw contextualized(error, name: name, source: fileSource)
                }
            case .array, .object, .null:
                let expected = option.kind == .list
                    ? "an array of strings or a comma-separated string"
                    : "a string, number or boolean"
                throw .invalidValue(value: ConfigOptions.shown(value.description, key: option.key), name: name,
                                    source: fileSource, expected: expected)
            }
        }
    }

    private static func apply(
        _ option: ConfigOption, _ value: String, name: String, source: ConfigSource, to config: inout HubConfig
    ) throws(ConfigError) {
        do {
            try option.apply(&config, value)
        } catch {
            let e = contextualized(error, name: name, source: source)
            guard case .invalidValue(let v, let n, let s, let expected) = e else { throw e }
            throw .invalidValue(value: ConfigOptions.shown(v, key: option.key), name: n, source: s, expected: expected)
        }
    }

    /// Adds the name and source an option parser cannot know to its error.
    private static func contextualized(_ error: ConfigError, name: String, source: ConfigSource) -> ConfigError {
        guard case .badValue(let value, let expected) = error else { return error }
        return .invalidValue(value: value, name: name, source: source, expected: expected)
    }

    // MARK: Suggestions

    private static let allFlags: [String] =
        ConfigOptions.all.flatMap { [$0.flag] + ($0.negatedFlag.map { [$0] } ?? []) }
        + ["--config", "--help", "--version"]

    /// The candidate within edit distance 2 (or a third of the name) of `name`, if any.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = max(2, name.count / 3)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(name.utf8), Array(candidate.utf8))
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            current.reserveCapacity(b.count + 1)
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

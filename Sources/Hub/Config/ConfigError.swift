/// Why the command line, environment or config file was rejected; `description` is the message
/// printed before exiting with status 2.
///
/// Every case names the flag, variable or key and its source, so a bad value in a unit file or
/// container environment is as easy to find as a typo on the command line.
enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Thrown by an option's parser, which knows neither the name nor the source;
    /// `ConfigLoader` turns it into `.invalidValue`.
    case badValue(value: String, expected: String)
    /// A value that does not parse or is out of range, e.g. `--port abc`.
    /// `name` is the flag, the variable or `key "port"`.
    case invalidValue(value: String, name: String, source: ConfigSource, expected: String)
    /// A flag no option has, e.g. `--prot`; `suggestion` is a close existing flag.
    case unknownFlag(String, suggestion: String?)
    /// A flag given last without its value, e.g. `hub --port`.
    case missingValue(flag: String)
    /// A value given to a flag that takes none, e.g. `--no-echo=1`.
    case unexpectedValue(flag: String)
    /// A key in the config file that no option has.
    case unknownKey(String, file: String, suggestion: String?)
    /// The same key twice in the config file (JSON allows it; silently picking one hides mistakes).
    case duplicateKey(String, file: String)
    /// The config file could not be read.
    case unreadableFile(path: String, source: ConfigSource, reason: String)
    /// The config file is not a JSON object; `line` and `column` are 1-based.
    case malformedFile(path: String, line: Int, column: Int, reason: String)
    /// A first argument that is neither a command nor a flag.
    case unknownCommand(String)
    /// A positional argument where only flags may appear.
    case unexpectedArgument(String)

    var description: String {
        switch self {
        case .badValue(let value, let expected):
            return "invalid value \(quoted(value)): expected \(expected)"
        case .invalidValue(let value, let name, let source, let expected):
            return "invalid value \(quoted(value)) for \(name) (from \(source)): expected \(expected)"
        case .unknownFlag(let flag, let suggestion):
            return "unknown flag \(flag) (from flag)" + didYouMean(suggestion) + "; see hub --help"
        case .missingValue(let flag):
            return "missing value for \(flag) (from flag)"
        case .unexpectedValue(let flag):
            return "\(flag) takes no value (from flag)"
        case .unknownKey(let key, let file, let suggestion):
            return "unknown key \(quoted(key)) (from config file \(file))" + didYouMean(suggestion)
        case .duplicateKey(let key, let file):
            return "duplicate key \(quoted(key)) (from config file \(file))"
        case .unreadableFile(let path, let source, let reason):
            let via = source == .environment ? "HUB_CONFIG" : "--config"
            return "cannot read config file \(path) (from \(via)): \(reason)"
        case .malformedFile(let path, let line, let column, let reason):
            return "malformed config file \(path) at line \(line), column \(column): \(reason)"
        case .unknownCommand(let command):
            return "unknown command \(quoted(command)): expected serve, token, help or version"
        case .unexpectedArgument(let argument):
            return "unexpected argument \(quoted(argument)): the command must come first"
                + " (hub serve|token|help|version) and options are flags"
        }
    }
}

/// Quotes a value the way JSON would, so empty strings and spaces stay visible in messages.
private func quoted(_ value: String) -> String {
    var out: [UInt8] = []
    LogLineEncoder.appendString(value, to: &out)
    return String(decoding: out, as: UTF8.self)
}

private func didYouMean(_ suggestion: String?) -> String {
    suggestion.map { " (did you mean \($0)?)" } ?? ""
}

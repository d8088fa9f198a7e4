/// Where a configuration value came from, named in every error so the operator knows what to fix.
enum ConfigSource: Sendable, Equatable, CustomStringConvertible {
    /// A command-line flag.
    case flag
    /// A `HUB_*` environment variable.
    case environment
    /// The JSON config file at this path.
    case file(String)

    var description: String {
        switch self {
        case .flag: return "flag"
        case .environment: return "environment"
        case .file(let path): return "config file \(path)"
        }
    }
}

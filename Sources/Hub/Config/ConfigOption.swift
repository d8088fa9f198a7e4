/// One setting of `HubConfig` as the outside world sees it: its names, help line, default and
/// parser, so flags, environment, config file and `--help` all come from one table row.
///
/// The flag and variable names are derived from the key (`ping_interval` → `--ping-interval`,
/// `HUB_PING_INTERVAL`), so the three spellings can never drift apart.
struct ConfigOption: Sendable {
    /// How the option's value is written on the command line.
    enum Kind: Sendable, Equatable {
        /// `--flag value` or `--flag=value`.
        case value
        /// Also bare `--flag` (true) and `--no-flag` (false).
        case boolean
        /// Comma-separated on the command line and in the environment; a JSON array in the file.
        case list
        /// A JSON value (an object, say) everywhere: JSON text in flags and the environment.
        case json
    }

    /// The config-file key, snake_case: `ping_interval`.
    let key: String
    /// The long flag: `--ping-interval`.
    let flag: String
    /// The environment variable: `HUB_PING_INTERVAL`.
    let environmentName: String
    /// The placeholder shown in `--help`: `SECONDS`.
    let valueName: String
    /// One line for `--help`.
    let help: String
    let kind: Kind
    /// Renders the option's current value in a form `apply` accepts back.
    let render: @Sendable (HubConfig) -> String
    /// Parses `text`, validates it and stores it in the config.
    let apply: @Sendable (inout HubConfig, String) throws(ConfigError) -> Void
    /// For `.list` options: stores already-split items (a JSON array from the file).
    let applyList: (@Sendable (inout HubConfig, [String]) throws(ConfigError) -> Void)?
    /// For `.json` options: stores a parsed JSON value (from the file, or parsed from text).
    let applyJSON: (@Sendable (inout HubConfig, ConfigJSON) throws(ConfigError) -> Void)?

    init(
        key: String,
        valueName: String,
        help: String,
        kind: Kind = .value,
        render: @escaping @Sendable (HubConfig) -> String,
        apply: @escaping @Sendable (inout HubConfig, String) throws(ConfigError) -> Void,
        applyList: (@Sendable (inout HubConfig, [String]) throws(ConfigError) -> Void)? = nil,
        applyJSON: (@Sendable (inout HubConfig, ConfigJSON) throws(ConfigError) -> Void)? = nil
    ) {
        self.key = key
        self.flag = "--" + key.replacingUnderscores(with: "-")
        self.environmentName = "HUB_" + key.uppercased()
        self.valueName = valueName
        self.help = help
        self.kind = kind
        self.render = render
        self.apply = apply
        self.applyList = applyList
        self.applyJSON = applyJSON
    }

    /// The negated flag of a boolean option, `--no-echo`; `nil` for other kinds.
    var negatedFlag: String? {
        kind == .boolean ? "--no-" + flag.dropFirst(2) : nil
    }

    /// The default rendered as `--help` shows it.
    var defaultRendering: String { render(HubConfig()) }
}

extension String {
    fileprivate func replacingUnderscores(with replacement: Character) -> String {
        String(map { $0 == "_" ? replacement : $0 })
    }
}

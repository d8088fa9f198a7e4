extension ConfigOptions {
    /// The `hub --help` text, generated from `all` so every option appears with its flag,
    /// environment variable, file key and default.
    static var helpText: String {
        let defaults = HubConfig()
        var lines = [
            "hub \(HubVersion.current): a WebSocket hub daemon",
            "",
            "Usage:",
            "  hub [serve] [OPTIONS]    run the daemon (the default command)",
            "  hub token ARGS...        create, list and revoke tokens",
            "  hub help | --help | -h   print this help",
            "  hub version | --version  print the version",
            "",
            "Every option is also an environment variable and a key of the JSON config file, shown",
            "after the flag. Precedence: defaults < config file < environment < flags.",
            "Flags take `--flag value` or `--flag=value`; booleans also `--flag` and `--no-flag`.",
            "",
            "Options:",
        ]
        lines.append(row("--config FILE", "HUB_CONFIG"))
        lines.append("      JSON config file: an object of the keys below. (default: none)")
        for option in all {
            let usage: String
            switch option.kind {
            case .boolean: usage = "\(option.flag), \(option.negatedFlag ?? "")"
            case .value, .list, .json: usage = "\(option.flag) \(option.valueName)"
            }
            lines.append(row(usage, "\(option.environmentName), \(option.key)"))
            lines.append("      \(option.help) (default: \(option.render(defaults)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ usage: String, _ names: String) -> String {
        let padded = usage.count < 40 ? usage + String(repeating: " ", count: 40 - usage.count) : usage + "  "
        return "  " + padded + names
    }
}

/// What the command line asks the `hub` executable to do, decided before anything starts.
///
/// `main.swift` switches over it; keeping the decision a value makes the whole command line
/// testable without running a daemon.
enum HubCommand: Sendable, Equatable {
    /// Run the daemon with this configuration (`hub`, `hub serve`).
    case serve(HubConfig)
    /// Print this help text on stdout and exit 0 (`hub help`, `--help`, `-h`).
    case help(String)
    /// Print this version on stdout and exit 0 (`hub version`, `--version`).
    case version(String)
    /// Manage tokens: the raw arguments after `token`, untouched (`hub token create --user ID`).
    case token([String])
}

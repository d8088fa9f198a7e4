/// The hub's release version, printed by `hub --version` and reported by `/health`.
enum HubVersion {
    /// Semantic version of this build.
    static let current = "0.1.0"
}

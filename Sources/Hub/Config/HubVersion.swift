/// The hub's release version, printed by `hub --version` and reported by `/health`.
enum HubVersion {
    /// Semantic version of this build.
    static let current = "0.1.0"
}

extension HubVersion {
    /// The `Server` header of HTTP answers (Autobahn reports name the server by it).
    static var serverHeader: String { "hub/\(current)" }
}

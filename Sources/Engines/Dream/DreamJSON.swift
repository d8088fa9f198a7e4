/// The few JSON pieces the dream engine writes by hand: replies and pushes with a fixed key
/// order (`{"token":…,"index":…}`), so watchers and tests see the same bytes every time.
enum DreamJSON {
    /// `text` as a JSON string literal (the engines' one quoting, `EngineJSON.quoted`).
    static func string(_ text: String) -> String { EngineJSON.quotedString(text) }

    /// An object from already-encoded values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func bool(_ b: Bool) -> String { b ? "true" : "false" }
}

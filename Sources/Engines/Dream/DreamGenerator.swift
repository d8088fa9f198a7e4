/// What a stream asks a generator for.
struct DreamRequest: Sendable {
    var prompt: String
    var maxTokens: Int
    var seed: UInt64
    /// Whether the first token gets a leading space (it continues text that came before).
    var continues: Bool
}

/// One of the dream engine's two generators (`markov` embedded, `upstream` an LLM server): it
/// opens a token source for a stream. The stream task drives the source; every watcher of the
/// topic sees the one generation.
protocol DreamGenerator: Sendable {
    /// `markov` or `upstream` (the start reply's `generator`).
    var name: String { get }
    /// What the text is (`statistical` for the Markov chain, `llm` for the upstream model): the
    /// start reply's and the done push's `kind`.
    var kind: String { get }
    /// Opens a source for `request`.
    /// - Throws: why the generator cannot serve it now (the caller falls back).
    func open(_ request: DreamRequest) async throws -> any DreamTokenSource
}

/// A stream's tokens, pulled one at a time by its task (one caller at a time).
protocol DreamTokenSource: Sendable {
    /// The next token, with its spacing (join them to get the text); nil when the source ended.
    func next() async throws -> String?
    /// Stops the source; a pending or later `next()` ends or throws.
    func cancel()
}

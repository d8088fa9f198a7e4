/// The dream engine's settings and limits (the hub fills them from `HubConfig`'s `dream_*`
/// options; the defaults here are the documented ones, docs/engines/dream.md).
public struct DreamConfig: Sendable {
    /// The training text; empty: the corpus shipped with the hub (`Dream/Corpus`).
    public var corpusPath: String = ""
    /// Milliseconds between two tokens when a start does not say (`dream_pace_ms`).
    public var paceMs: Int = 50
    /// The `pace_ms` a start may ask for.
    public var paceRange: ClosedRange<Int> = 1...10_000
    /// Tokens when a start does not say.
    public var defaultMaxTokens: Int = 100
    /// Most tokens one stream may ask for (`dream_max_tokens`). 999: a whole stream, its tokens
    /// and the done push, fits in the `dream` namespace's history of 1,000, so a late watcher
    /// can always recover it from its first token.
    public var maxTokens: Int = 999
    /// Most streams running at once, all users together (`dream_max_streams`).
    public var maxStreams: Int = 32
    /// Most streams one user may run at once (`dream_max_streams_per_user`).
    public var maxStreamsPerUser: Int = 4
    /// Longest prompt, in Unicode scalars.
    public var maxPromptLength: Int = 2000
    /// The OpenAI-compatible server, nil: the Markov generator only (`dream_upstream_url`).
    public var upstreamURL: UpstreamURL?
    /// Trusted certificates (PEM) for an `https://` upstream (`dream_upstream_ca`); empty: the
    /// system's CA store.
    public var upstreamCAFile: String = ""
    /// Its bearer key (`dream_upstream_key`; a secret, never logged or shown).
    public var upstreamKey: String = ""
    /// The `model` field sent upstream (`dream_upstream_model`).
    public var upstreamModel: String = "gpt-4o-mini"
    /// Seconds the upstream may take to send its first token, and may stay silent after
    /// (`dream_upstream_timeout`). Keep it under `engine_timeout`: a start waits for the first token.
    public var upstreamTimeout: Double = 5
    /// Failures in a row that open the `upstream_llm` breaker.
    public var upstreamFailureThreshold: Int = 3
    /// Seconds the breaker stays open before one start probes the upstream again.
    public var upstreamOpenInterval: Double = 30

    /// The defaults above.
    public init() {}
}

/// The upstream generator: an OpenAI-compatible server's streamed chat completion, behind the
/// `upstream_llm` circuit breaker.
///
/// The breaker guards the opening of a stream: connecting, sending the request, a `200` head
/// and the first token, within `upstreamTimeout` (the breaker's call timeout). A failure or a
/// timeout counts against it; open, `open` throws at once, and the engine falls back to the
/// Markov chain. After the open interval one start is let through as the probe; its success
/// closes the breaker.
struct UpstreamGenerator: DreamGenerator {
    let config: DreamConfig
    let url: UpstreamURL
    /// The TLS client context for an `https://` URL.
    let tls: UpstreamTLSContext?
    let breaker: any CallGuard
    var name: String { "upstream" }
    var kind: String { "llm" }

    func open(_ request: DreamRequest) async throws -> any DreamTokenSource {
        let connection = UpstreamConnection.open(UpstreamConnection.Request(
            url: url, key: config.upstreamKey, model: config.upstreamModel, prompt: request.prompt,
            maxTokens: request.maxTokens, seed: request.seed, timeout: config.upstreamTimeout, tls: tls))
        do {
            let first = try await breaker.call { try await connection.next() }
            return UpstreamTokenSource(connection: connection, first: first)
        } catch {
            connection.cancel()
            throw error
        }
    }

    /// Counts a failure met after the opening (a stall or a broken body mid-stream) against the
    /// breaker: a call that fails at once (refused without effect when the breaker is open).
    func recordFailure(_ error: any Error) async {
        _ = try? await breaker.call { () async throws -> Void in throw error }
    }
}

/// The tokens of one upstream connection, the first one already read by the opening call.
final class UpstreamTokenSource: DreamTokenSource {
    private let connection: UpstreamConnection
    private let first: OnceValue<String?>

    init(connection: UpstreamConnection, first: String?) {
        self.connection = connection
        self.first = OnceValue(first)
    }

    func next() async throws -> String? {
        if let pending = first.take() { return pending }
        return try await connection.next()
    }

    func cancel() { connection.cancel() }
}

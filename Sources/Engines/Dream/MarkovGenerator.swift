import Synchronization

/// The embedded generator: the order-2 word Markov chain over the shipped corpus.
struct MarkovGenerator: DreamGenerator {
    let model: MarkovModel
    var name: String { "markov" }
    var kind: String { "statistical" }

    func open(_ request: DreamRequest) async throws -> any DreamTokenSource {
        MarkovTokenSource(model: model, request: request)
    }
}

/// Draws the chain's words one by one; a word gets a leading space except the stream's first.
final class MarkovTokenSource: DreamTokenSource {
    private struct State {
        var rng: SplitMix64
        var context: MarkovModel.Context
        var emitted = 0
        var continues: Bool
        var cancelled = false
    }

    let model: MarkovModel
    /// How much of the prompt the model knew.
    let match: MarkovModel.PromptMatch
    private let state: Mutex<State>

    init(model: MarkovModel, request: DreamRequest) {
        self.model = model
        let (context, match) = model.context(forPrompt: request.prompt)
        self.match = match
        state = Mutex(State(rng: SplitMix64(seed: request.seed), context: context, continues: request.continues))
    }

    func next() async throws -> String? {
        let model = self.model
        return state.withLock { s -> String? in
            if s.cancelled { return nil }
            let w = model.next(after: s.context, using: &s.rng)
            s.context = s.context.advanced(by: w)
            defer { s.emitted += 1 }
            let word = model.vocabulary[Int(w)]
            return s.emitted == 0 && !s.continues ? word : " " + word
        }
    }

    func cancel() { state.withLock { $0.cancelled = true } }
}

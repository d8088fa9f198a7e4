/// A word-level Markov chain of order 2 with backoff: the dream engine's embedded generator.
///
/// What it is, plainly: it counts, in a training text, which word follows each pair of words,
/// and writes new text by repeatedly drawing the next word in proportion to those counts. The
/// result is *statistical text*: locally plausible word sequences with no meaning, plan or
/// memory beyond the last two words.
///
/// Words are the text's whitespace-separated pieces, punctuation attached (`earth.`, `LORD;`), so
/// sentences keep their shape. When the last two words were never seen together the chain backs
/// off to the last word alone (order 1), and when that has no successor either it starts afresh
/// at a word that begins a line of the corpus (order 0). Every choice takes exactly one draw from
/// the caller's `SplitMix64`, so the same seed, prompt and corpus give the same words.
///
/// Layout: the vocabulary is numbered (ids < 2^20); each order-2 context (two ids packed in a
/// `UInt64`) and each order-1 context maps to a span of a flat successor table holding the
/// successors in ascending id order with cumulative counts, drawn by binary search. Training
/// packs every trigram into one `UInt64` and sorts them, which is cheap and order-stable.
public struct MarkovModel: Sendable {
    /// Where the chain stands: the last two words (either may be missing at the start).
    public struct Context: Sendable, Equatable {
        public var w1: UInt32?
        public var w2: UInt32?
        /// A context of these two word ids (nil: not known yet).
        public init(w1: UInt32? = nil, w2: UInt32? = nil) {
            self.w1 = w1
            self.w2 = w2
        }
        /// The context after `word` was emitted.
        public func advanced(by word: UInt32) -> Context { Context(w1: w2, w2: word) }
    }

    /// How much of the prompt the model knew, for the start reply.
    public enum PromptMatch: String, Sendable {
        /// The prompt's last two words are a known pair: the text continues from them.
        case order2
        /// Only its last word is known.
        case order1
        /// Neither (or no prompt): the text begins like a line of the corpus.
        case none
    }

    /// Figures for health and the start reply.
    public struct Stats: Sendable, Equatable {
        /// Bytes of training text.
        public var bytes: Int
        /// Words (tokens) in it.
        public var words: Int
        /// Distinct words.
        public var vocabulary: Int
        /// Distinct word pairs with a successor.
        public var pairs: Int
    }

    private struct Span: Sendable {
        let start: Int32
        let count: Int32
    }

    /// Ids are packed 20 bits each (three in a trigram key).
    static let idBits: UInt64 = 20
    static let idMask: UInt64 = (1 << idBits) - 1
    /// Most distinct words a corpus may have.
    public static let maxVocabulary = 1 << 20

    /// Every distinct word, by id.
    public let vocabulary: [String]
    private let ids: [String: UInt32]
    /// Lower-cased, letters-and-digits-only form → the id of its most frequent spelling, so a
    /// prompt's `earth` finds `earth.`/`Earth,`.
    private let folded: [String: UInt32]
    private let order2: [UInt64: Span]
    private let order1: [UInt32: Span]
    private let successors: [UInt32]
    private let cumulative: [UInt32]
    /// Ids of words that begin a line, once per occurrence (so drawn by frequency).
    private let lineStarts: [UInt32]
    /// Size of the training text and model.
    public let stats: Stats

    /// Trains on `text` (UTF-8).
    /// - Throws: `MarkovError` when the text has fewer than three words or too many distinct ones.
    public init(training text: [UInt8]) throws(MarkovError) {
        var vocabulary: [String] = []
        var ids: [String: UInt32] = [:]
        var frequency: [Int] = []
        var sequence: [UInt32] = []
        var lineStarts: [UInt32] = []
        sequence.reserveCapacity(text.count / 5)
        var atLineStart = true
        var i = 0
        let n = text.count
        while i < n {
            let b = text[i]
            if Self.isSpace(b) {
                if b == 0x0A { atLineStart = true }
                i += 1
                continue
            }
            var j = i + 1
            while j < n, !Self.isSpace(text[j]) { j += 1 }
            let word = String(decoding: text[i..<j], as: UTF8.self)
            let id: UInt32
            if let known = ids[word] {
                id = known
            } else {
                guard vocabulary.count < Self.maxVocabulary else { throw .tooManyWords(Self.maxVocabulary) }
                id = UInt32(vocabulary.count)
                ids[word] = id
                vocabulary.append(word)
                frequency.append(0)
            }
            frequency[Int(id)] += 1
            sequence.append(id)
            if atLineStart { lineStarts.append(id) }
            atLineStart = false
            i = j
        }
        guard sequence.count >= 3 else { throw .tooShort(words: sequence.count) }
        if lineStarts.isEmpty { lineStarts = [sequence[0]] }

        var folded: [String: UInt32] = [:]
        for (id, word) in vocabulary.enumerated() {
            let key = Self.fold(word)
            guard !key.isEmpty else { continue }
            if let other = folded[key], frequency[Int(other)] >= frequency[id] { continue }
            folded[key] = UInt32(id)
        }

        var successors: [UInt32] = []
        var cumulative: [UInt32] = []
        // Order 2: (w1, w2, next) packed, sorted, then run-length encoded per (w1, w2).
        var trigrams = [UInt64]()
        trigrams.reserveCapacity(sequence.count)
        for k in 0..<(sequence.count - 2) {
            trigrams.append(UInt64(sequence[k]) << (2 * Self.idBits) | UInt64(sequence[k + 1]) << Self.idBits
                                | UInt64(sequence[k + 2]))
        }
        trigrams.sort()
        var order2: [UInt64: Span] = [:]
        order2.reserveCapacity(trigrams.count / 2)
        Self.encode(trigrams, into: &successors, &cumulative) { key, span in order2[key] = span }
        // Order 1: (w, next).
        var bigrams = [UInt64]()
        bigrams.reserveCapacity(sequence.count)
        for k in 0..<(sequence.count - 1) { bigrams.append(UInt64(sequence[k]) << Self.idBits | UInt64(sequence[k + 1])) }
        bigrams.sort()
        var order1: [UInt32: Span] = [:]
        Self.encode(bigrams, into: &successors, &cumulative) { key, span in order1[UInt32(key)] = span }

        self.vocabulary = vocabulary
        self.ids = ids
        self.folded = folded
        self.order2 = order2
        self.order1 = order1
        self.successors = successors
        self.cumulative = cumulative
        self.lineStarts = lineStarts
        stats = Stats(bytes: text.count, words: sequence.count, vocabulary: vocabulary.count, pairs: order2.count)
    }

    /// Run-length encodes sorted `(context << 20 | next)` keys: one span per context, one entry
    /// per distinct successor with the running count.
    private static func encode(_ sorted: [UInt64], into successors: inout [UInt32], _ cumulative: inout [UInt32],
                               _ add: (UInt64, Span) -> Void) {
        var k = 0
        while k < sorted.count {
            let context = sorted[k] >> idBits
            let start = successors.count
            var total: UInt32 = 0
            while k < sorted.count, sorted[k] >> idBits == context {
                let next = sorted[k] & idMask
                var run: UInt32 = 0
                while k < sorted.count, sorted[k] >> idBits == context, sorted[k] & idMask == next {
                    run += 1
                    k += 1
                }
                total += run
                successors.append(UInt32(next))
                cumulative.append(total)
            }
            add(context, Span(start: Int32(start), count: Int32(successors.count - start)))
        }
    }

    // MARK: Generating

    /// The context a prompt leaves the chain in: its last two words when the model knows them as
    /// a pair, else its last word, else none (see `PromptMatch`). Words are looked up as written,
    /// then case- and punctuation-insensitively.
    public func context(forPrompt prompt: String) -> (Context, PromptMatch) {
        let words = prompt.split(whereSeparator: { $0.isWhitespace })
        let last = words.last.flatMap { id(of: String($0)) }
        if words.count >= 2, let a = id(of: String(words[words.count - 2])), let b = last,
           order2[Self.pair(a, b)] != nil {
            return (Context(w1: a, w2: b), .order2)
        }
        if let b = last, order1[b] != nil { return (Context(w1: nil, w2: b), .order1) }
        return (Context(), .none)
    }

    /// The id of `word` as written, else of its folded form.
    public func id(of word: String) -> UInt32? { ids[word] ?? folded[Self.fold(word)] }

    /// Draws the word that follows `context` (exactly one draw from `rng`).
    public func next(after context: Context, using rng: inout SplitMix64) -> UInt32 {
        if let a = context.w1, let b = context.w2, let span = order2[Self.pair(a, b)] {
            return draw(span, &rng)
        }
        if let b = context.w2, let span = order1[b] { return draw(span, &rng) }
        return lineStarts[Int(rng.below(UInt64(lineStarts.count)))]
    }

    /// `count` words after `prompt`, as text pieces (no spacing added).
    public func words(after prompt: String, count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        var (context, _) = self.context(forPrompt: prompt)
        var out: [String] = []
        for _ in 0..<count {
            let w = next(after: context, using: &rng)
            out.append(vocabulary[Int(w)])
            context = context.advanced(by: w)
        }
        return out
    }

    private func draw(_ span: Span, _ rng: inout SplitMix64) -> UInt32 {
        let lo = Int(span.start), hi = lo + Int(span.count)
        let r = UInt32(rng.below(UInt64(cumulative[hi - 1])))
        // The first entry whose running count exceeds r.
        var a = lo, b = hi - 1
        while a < b {
            let m = (a + b) / 2
            if cumulative[m] > r { b = m } else { a = m + 1 }
        }
        return successors[a]
    }

    private static func pair(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << idBits | UInt64(b) }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// Lower-cased letters and digits only: `LORD;` → `lord`, `Solomon's` → `solomons`.
    static func fold(_ word: String) -> String {
        var out = String.UnicodeScalarView()
        for s in word.lowercased().unicodeScalars where s.properties.isAlphabetic || ("0"..."9").contains(s) {
            out.append(s)
        }
        return String(out)
    }
}

/// Why a corpus could not be trained on.
public enum MarkovError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than three words: no pair has a successor.
    case tooShort(words: Int)
    /// More distinct words than ids can hold.
    case tooManyWords(Int)

    public var description: String {
        switch self {
        case .tooShort(let n): return "the corpus has \(n) words; at least 3 are needed"
        case .tooManyWords(let max): return "the corpus has more than \(max) distinct words"
        }
    }
}

/// A lexicon-and-rules sentiment model after VADER (Hutto & Gilbert, "VADER: A Parsimonious
/// Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM 2014): each token gets its
/// lexicon valence (-4...4), adjusted by five rules from the paper, and the sum is squashed into
/// [-1, 1]. It reads words, not meaning: sarcasm, context and most idioms pass it by.
///
/// The rules, as implemented here (our code and constants named after the paper's):
/// 1. Capitals: a sentiment word in capitals, in a message that also has words that are not,
///    moves `capsIncrement` further from 0.
/// 2. Degree modifiers: a booster ("very", "extremely") within the three words before a sentiment
///    word adds `boosterIncrement` in the word's direction, a dampener ("slightly", "kind of")
///    takes it away; the effect shrinks with distance (×1, ×0.95, ×0.9); a modifier in capitals
///    (in a mixed message) adds `capsIncrement` more.
/// 3. Negation: each negator ("not", "never", "isn't", …) within the three words before a
///    sentiment word multiplies its valence by `negationScalar` (-0.74: flipped and weakened).
/// 4. "But": words before the first "but" count half, words after it 1.5 times.
/// 5. Punctuation: each "!" (up to 4) adds `exclamationIncrement` to the sum's magnitude; two or
///    three "?" add `questionIncrement` each, more than three add `questionCap`.
/// Then `compound = sum / sqrt(sum² + normalisationAlpha)`.
public struct SentimentAnalyser: Sendable {
    /// What a booster adds (a dampener takes away), at distance 1.
    public static let boosterIncrement = 0.293
    /// What capitals add, in a message that also has words that are not.
    public static let capsIncrement = 0.733
    /// What a negator multiplies by.
    public static let negationScalar = -0.74
    /// What each "!" (up to 4) adds to the magnitude.
    public static let exclamationIncrement = 0.292
    /// What each "?" adds when there are 2 or 3.
    public static let questionIncrement = 0.18
    /// What more than three "?" add.
    public static let questionCap = 0.96
    /// α of `x / sqrt(x² + α)`: the sum that maps to about ±0.72 is 4.
    public static let normalisationAlpha = 15.0
    /// How much a modifier counts at distance 1, 2 and 3 words.
    static let distanceDecay = [1.0, 0.95, 0.9]

    let lexicon: MirrorLexicon

    /// An analyser over `lexicon`.
    public init(lexicon: MirrorLexicon = .shared) { self.lexicon = lexicon }

    /// Scores tokens; `exclamations` and `questions` are the counts of `!` and `?` in the text.
    public func score(_ tokens: [MirrorToken], exclamations: Int, questions: Int) -> SentimentScore {
        let mixedCase = tokens.contains { $0.isShouted } && tokens.contains { $0.isWord && !$0.isShouted }
        var valences = Array(repeating: 0.0, count: tokens.count)
        var intensities = valences
        var count = 0, intensity = 0.0, boosters = 0, dampeners = 0
        for i in tokens.indices {
            guard var v = baseValence(tokens, at: i) else { continue }
            let t = tokens[i]
            if mixedCase && t.isShouted { v += Self.sign(v) * Self.capsIncrement }
            for d in 1...3 where i - d >= 0 {
                let m = tokens[i - d]
                var delta: Double
                if MirrorWordLists.boosters.contains(m.lower) {
                    delta = Self.boosterIncrement
                    boosters += 1
                } else if MirrorWordLists.dampeners.contains(m.lower) {
                    delta = -Self.boosterIncrement
                    dampeners += 1
                } else {
                    continue
                }
                if mixedCase && m.isShouted { delta += Self.sign(delta) * Self.capsIncrement }
                v += Self.sign(v) * delta * Self.distanceDecay[d - 1]
            }
            for d in 1...3 where i - d >= 0 && isNegating(tokens, at: i - d) { v *= Self.negationScalar }
            valences[i] = v
            intensities[i] = abs(v)
            count += 1
            intensity += abs(v)
        }
        if let but = tokens.firstIndex(where: { $0.lower == "but" }) {
            for i in valences.indices where i != but { valences[i] *= i < but ? 0.5 : 1.5 }
        }
        var sum = valences.reduce(0, +)
        let emphasis = Self.punctuationEmphasis(exclamations: exclamations, questions: questions)
        if sum > 0 { sum += emphasis } else if sum < 0 { sum -= emphasis }
        return SentimentScore(compound: Self.normalise(sum), sum: sum, valences: valences, sentimentTokens: count,
                              meanIntensity: count > 0 ? intensity / Double(count) : 0, intensities: intensities,
                              boosters: boosters, dampeners: dampeners)
    }

    /// The lexicon valence a token starts from, nil when it carries none. Modifiers carry none
    /// (they act on the next words); a negator keeps its own valence ("no" is -1.2) only when no
    /// sentiment word follows within three words for it to act on.
    private func baseValence(_ tokens: [MirrorToken], at i: Int) -> Double? {
        let t = tokens[i]
        if MirrorWordLists.boosters.contains(t.lower) || MirrorWordLists.dampeners.contains(t.lower) { return nil }
        // Emoticons are case-sensitive in the lexicon (":P" 1.4, ":p" 1.0); words are not.
        let emoticon = t.text.contains { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "-") }
        let found = emoticon ? lexicon.valence(t.text) ?? lexicon.valence(t.lower) : lexicon.valence(t.lower)
        guard let v = found, v != 0 else { return nil }
        if t.isNegator {
            let ahead = tokens[(i + 1)..<min(tokens.count, i + 4)]
            if ahead.contains(where: { !$0.isNegator && lexicon.valence($0.lower) != nil }) { return nil }
        }
        return v
    }

    /// Whether the token at `i` negates what follows. "least" does ("the least helpful"), except
    /// in "at least" and "very least".
    private func isNegating(_ tokens: [MirrorToken], at i: Int) -> Bool {
        if tokens[i].isNegator { return true }
        guard tokens[i].lower == "least" else { return false }
        return i == 0 || (tokens[i - 1].lower != "at" && tokens[i - 1].lower != "very")
    }

    /// What "!" and "?" add to the sum's magnitude.
    public static func punctuationEmphasis(exclamations: Int, questions: Int) -> Double {
        let e = Double(min(exclamations, 4)) * exclamationIncrement
        let q: Double
        switch questions {
        case ..<2: q = 0
        case 2...3: q = Double(questions) * questionIncrement
        default: q = questionCap
        }
        return e + q
    }

    /// `x / sqrt(x² + α)`, clamped to [-1, 1].
    public static func normalise(_ x: Double) -> Double {
        min(1, max(-1, x / (x * x + normalisationAlpha).squareRoot()))
    }

    static func sign(_ x: Double) -> Double { x < 0 ? -1 : 1 }
}

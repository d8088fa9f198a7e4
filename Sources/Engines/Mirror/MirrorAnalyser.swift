/// Reads one message: sentiment (`SentimentAnalyser`), arousal, emotion categories and style.
/// Pure and deterministic: the same text always gives the same analysis.
public struct MirrorAnalyser: Sendable {
    let tokenizer: MirrorTokenizer
    let sentiment: SentimentAnalyser

    /// An analyser over `lexicon` (VADER's, by default).
    public init(lexicon: MirrorLexicon = .shared) {
        tokenizer = MirrorTokenizer(lexicon: lexicon)
        sentiment = SentimentAnalyser(lexicon: lexicon)
    }

    /// The analysis of one message's text (its rolling style fields left nil).
    public func analyse(_ text: String) -> MirrorAnalysis {
        let out = tokenizer.tokenize(text)
        var exclamations = 0, questions = 0
        for ch in text {
            if ch == "!" { exclamations += 1 } else if ch == "?" { questions += 1 }
        }
        let score = sentiment.score(out.tokens, exclamations: exclamations, questions: questions)
        let style = MirrorStyle.measure(text, tokens: out.tokens, emojis: out.emojis)
        let a = Self.arousal(score, tokens: out.tokens, style: style, exclamationMarks: exclamations)
        let emotions = Self.emotions(out.tokens, valence: score.compound, arousal: a)
        return MirrorAnalysis(valence: score.compound, arousal: a, emotions: emotions, style: style, sentiment: score)
    }

    /// Arousal (activation) in [0, 1], our own derivation from intensity cues; VADER has no arousal:
    ///
    ///     arousal = clamp(0.15 + 0.45·I + 0.15·E + 0.15·C + 0.10·B + 0.20·W, 0, 1)
    ///
    /// - I: the mean absolute adjusted valence of the sentiment words / 4 (strong words, boosted
    ///   or in capitals, are more activated), at most 1; words of the calm list are left out
    ///   ("relaxed" is strongly positive, not activated);
    /// - E: `!` marks, min(n, 3) / 3;
    /// - C: words in capitals, min(n, 3) / 3;
    /// - B: boosters minus dampeners applied, clamped to ±2, / 2;
    /// - W: `MirrorWordLists.excited` (+1) and `.calm` (-1) words, summed, clamped to ±2, / 2.
    /// A neutral statement sits at 0.15; "I AM SO ANGRY!!!" at 0.95; "calm and relaxed" at 0.
    public static func arousal(_ s: SentimentScore, tokens: [MirrorToken], style: MirrorStyle, exclamationMarks: Int) -> Double {
        var w = 0, sum = 0.0, n = 0
        for (k, t) in tokens.enumerated() {
            let calm = MirrorWordLists.calm.contains(t.lower)
            if k < s.intensities.count, s.intensities[k] > 0, !calm {
                sum += s.intensities[k]
                n += 1
            }
            if t.fromEmoji { continue }
            if MirrorWordLists.excited.contains(t.lower) { w += 1 } else if calm { w -= 1 }
        }
        let i = n > 0 ? min(1, sum / Double(n) / 4) : 0
        let e = Double(min(exclamationMarks, 3)) / 3
        let c = Double(min(style.shouted, 3)) / 3
        let b = Double(min(2, max(-2, s.boosters - s.dampeners))) / 2
        let words = Double(min(2, max(-2, w))) / 2
        return min(1, max(0, 0.15 + 0.45 * i + 0.15 * e + 0.15 * c + 0.10 * b + 0.20 * words))
    }

    /// Emotion scores in [0, 1]: 0.5 per keyword of the category (`MirrorWordLists.emotions`,
    /// not counted when a negator is within the three words before it), plus a prior from the
    /// valence/arousal quadrant (Russell's circumplex, coarsely): positive and activated → joy
    /// (0.5·v); positive and calm → trust (0.5·v) and joy (0.25·v); negative and activated →
    /// anger (0.5·|v|) and fear (0.25·|v|); negative and calm → sadness (0.5·|v|). |v| < 0.05 adds
    /// nothing; arousal 0.5 is the line between calm and activated.
    public static func emotions(_ tokens: [MirrorToken], valence v: Double, arousal a: Double) -> MirrorEmotionScores {
        var scores = MirrorEmotionScores()
        for (i, t) in tokens.enumerated() {
            let negated = tokens[max(0, i - 3)..<i].contains { $0.isNegator }
            if negated { continue }
            for e in MirrorEmotion.allCases where MirrorWordLists.emotions[e]?.contains(t.lower) == true {
                scores[e] += 0.5
            }
        }
        if v >= 0.05 {
            if a >= 0.5 {
                scores[.joy] += 0.5 * v
            } else {
                scores[.trust] += 0.5 * v
                scores[.joy] += 0.25 * v
            }
        } else if v <= -0.05 {
            if a >= 0.5 {
                scores[.anger] += 0.5 * -v
                scores[.fear] += 0.25 * -v
            } else {
                scores[.sadness] += 0.5 * -v
            }
        }
        for i in scores.values.indices { scores.values[i] = min(1, scores.values[i]) }
        return scores
    }
}

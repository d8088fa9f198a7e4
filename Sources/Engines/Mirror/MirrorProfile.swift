/// A user's rolling profile: exponentially weighted means of what their messages showed.
///
/// Each field follows `x ← x + α·(sample − x)` (so the weight of a message k messages back is
/// α·(1−α)^k); the first message sets every field to its own value. `pace` averages only over
/// messages that had a previous one.
public struct MirrorProfile: Sendable, Equatable {
    /// Messages taken in.
    public private(set) var messages = 0
    /// Mean valence, -1...1.
    public var valence = 0.0
    /// Mean arousal, 0...1.
    public var arousal = 0.0
    /// Mean score per emotion category.
    public var emotions = MirrorEmotionScores()
    /// Mean words per message.
    public var words = 0.0
    /// Mean characters per message.
    public var chars = 0.0
    /// Mean formality, 0...1.
    public var formality = 0.5
    /// Mean share of sentences that ask.
    public var questionRate = 0.0
    /// Mean share of sentences that exclaim.
    public var exclamationRate = 0.0
    /// Mean share of words in capitals.
    public var capsRate = 0.0
    /// Mean share of emoji among tokens typed.
    public var emojiRate = 0.0
    /// The latest rolling type/token ratio (already a window, so not averaged again).
    public var ttr = 1.0
    /// Mean seconds between messages, nil until a second message.
    public var pace: Double?
    /// When the last message was taken in (Unix ms; whatever the caller passes).
    public var updatedMs: UInt64 = 0

    /// An empty profile.
    public init() {}

    /// One exponentially weighted step.
    @inline(__always)
    /// `old + α·(sample − old)`.
    public static func ew(_ old: Double, _ sample: Double, alpha: Double) -> Double { old + alpha * (sample - old) }

    /// Takes one analysed message in, with weight `alpha` (0 < alpha ≤ 1).
    public mutating func update(with a: MirrorAnalysis, alpha: Double, atMs: UInt64 = 0) {
        let s = a.style
        if messages == 0 {
            valence = a.valence
            arousal = a.arousal
            emotions = a.emotions
            words = Double(s.words)
            chars = Double(s.chars)
            formality = s.formality
            questionRate = s.questionRate
            exclamationRate = s.exclamationRate
            capsRate = s.capsRate
            emojiRate = s.emojiRate
        } else {
            valence = Self.ew(valence, a.valence, alpha: alpha)
            arousal = Self.ew(arousal, a.arousal, alpha: alpha)
            for i in emotions.values.indices {
                emotions.values[i] = Self.ew(emotions.values[i], a.emotions.values[i], alpha: alpha)
            }
            words = Self.ew(words, Double(s.words), alpha: alpha)
            chars = Self.ew(chars, Double(s.chars), alpha: alpha)
            formality = Self.ew(formality, s.formality, alpha: alpha)
            questionRate = Self.ew(questionRate, s.questionRate, alpha: alpha)
            exclamationRate = Self.ew(exclamationRate, s.exclamationRate, alpha: alpha)
            capsRate = Self.ew(capsRate, s.capsRate, alpha: alpha)
            emojiRate = Self.ew(emojiRate, s.emojiRate, alpha: alpha)
        }
        if let t = s.ttr { ttr = t }
        if let p = s.pace { pace = pace.map { Self.ew($0, p, alpha: alpha) } ?? p }
        messages += 1
        updatedMs = atMs
    }

    /// What a client replying to this user might do to mirror them.
    public var hints: MirrorHints { MirrorHints(self) }
}

/// Adaptation hints derived from a `MirrorProfile`: simple thresholds a client can use to shape
/// a reply so that it matches the user (length, formality, energy) and meets their mood (tone).
public struct MirrorHints: Sendable, Equatable {
    /// About as many words as the user writes, within 3...150.
    public var replyWords: Int
    /// `short` (≤ 12 words), `medium` (≤ 40) or `long`.
    public var length: String
    /// `enthusiastic` (valence > 0.25, arousal ≥ 0.5), `warm` (valence > 0.25, calmer),
    /// `calm` (valence < -0.25, arousal ≥ 0.5: de-escalate rather than mirror anger),
    /// `supportive` (valence < -0.25, calmer), else `neutral`.
    public var tone: String
    /// `formal` (formality > 0.65), `casual` (< 0.4) or `neutral`.
    public var formality: String
    /// `high` (arousal ≥ 0.6), `low` (≤ 0.3) or `medium`.
    public var energy: String
    /// The user uses emoji (more than one token in twenty).
    public var emoji: Bool
    /// The user exclaims (in more than 30 % of sentences).
    public var exclamations: Bool

    /// The hints for profile `p`.
    public init(_ p: MirrorProfile) {
        replyWords = min(150, max(3, Int(p.words.rounded())))
        length = replyWords <= 12 ? "short" : replyWords <= 40 ? "medium" : "long"
        if p.valence > 0.25 {
            tone = p.arousal >= 0.5 ? "enthusiastic" : "warm"
        } else if p.valence < -0.25 {
            tone = p.arousal >= 0.5 ? "calm" : "supportive"
        } else {
            tone = "neutral"
        }
        formality = p.formality > 0.65 ? "formal" : p.formality < 0.4 ? "casual" : "neutral"
        energy = p.arousal >= 0.6 ? "high" : p.arousal <= 0.3 ? "low" : "medium"
        emoji = p.emojiRate > 0.05
        exclamations = p.exclamationRate > 0.3
    }
}

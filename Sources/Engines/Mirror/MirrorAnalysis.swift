/// The mirroring engine's reading of one message.
public struct MirrorAnalysis: Sendable, Equatable {
    /// Sentiment in [-1, 1]: `SentimentAnalyser`'s compound score.
    public var valence: Double
    /// Activation in [0, 1] (`MirrorAnalyser.arousal`).
    public var arousal: Double
    /// A score in [0, 1] per emotion category.
    public var emotions: MirrorEmotionScores
    /// Length, formality, question/exclamation/caps/emoji rates.
    public var style: MirrorStyle
    /// The sentiment model's details.
    public var sentiment: SentimentScore
}

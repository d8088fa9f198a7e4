/// What `SentimentAnalyser` finds in one message.
public struct SentimentScore: Sendable, Equatable {
    /// The normalised sum of the adjusted word valences, in [-1, 1] (VADER's "compound").
    public var compound: Double
    /// The sum before normalisation (after the punctuation emphasis).
    public var sum: Double
    /// Each token's adjusted valence (0 for tokens the lexicon does not know), in token order.
    public var valences: [Double]
    /// Tokens that carry sentiment (a nonzero valence before the "but" weighting).
    public var sentimentTokens: Int
    /// Mean absolute adjusted valence of those tokens (0...4+, before the "but" weighting).
    public var meanIntensity: Double
    /// Each token's absolute adjusted valence before the "but" weighting (0 for tokens the
    /// lexicon does not know).
    public var intensities: [Double]
    /// Boosters that strengthened a sentiment word.
    public var boosters: Int
    /// Dampeners that weakened a sentiment word.
    public var dampeners: Int
}

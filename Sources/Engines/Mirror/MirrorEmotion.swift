/// An emotion category the mirroring engine scores (Plutchik's eight basic emotions), by its own
/// keyword lists (`MirrorWordLists.emotions`) and the valence/arousal quadrant.
public enum MirrorEmotion: String, Sendable, CaseIterable, Hashable {
    case joy, trust, fear, surprise, sadness, disgust, anger, anticipation
}

/// One score in [0, 1] per `MirrorEmotion`, in `MirrorEmotion.allCases` order.
public struct MirrorEmotionScores: Sendable, Equatable {
    /// The scores, indexed like `MirrorEmotion.allCases`.
    public var values: [Double]

    /// All zero.
    public init() { values = Array(repeating: 0, count: MirrorEmotion.allCases.count) }

    /// The score of `e`.
    public subscript(_ e: MirrorEmotion) -> Double {
        get { values[Self.index(e)] }
        set { values[Self.index(e)] = newValue }
    }

    /// The highest-scoring category, nil when every score is 0 (ties go to the earlier case).
    public var dominant: MirrorEmotion? {
        var best: MirrorEmotion?
        var top = 0.0
        for (i, e) in MirrorEmotion.allCases.enumerated() where values[i] > top {
            best = e
            top = values[i]
        }
        return best
    }

    private static func index(_ e: MirrorEmotion) -> Int {
        switch e {
        case .joy: 0
        case .trust: 1
        case .fear: 2
        case .surprise: 3
        case .sadness: 4
        case .disgust: 5
        case .anger: 6
        case .anticipation: 7
        }
    }
}

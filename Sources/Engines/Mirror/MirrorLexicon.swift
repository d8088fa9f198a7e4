/// VADER's sentiment lexicon (7,520 tokens with a mean valence in -4...4, rated by human judges)
/// and its emoji descriptions, parsed once from `VADERLexiconData.swift` (MIT, see
/// `Data/VADER-LICENSE.txt`). Only the data is VADER's; the rules are `SentimentAnalyser`.
///
/// The data is compiled in as a string rather than shipped as a resource file, so the binary
/// needs nothing at a path at run time.
public final class MirrorLexicon: Sendable {
    /// The one parsed copy (≈ 2 ms to build, on first use).
    public static let shared = MirrorLexicon(lexicon: vaderLexiconText, emoji: vaderEmojiText)

    /// Valence by lowercase token (words, emoticons such as `:)`, slang such as `lol`).
    public let valences: [String: Double]
    /// Words describing an emoji, by the emoji (`😀` → `grinning face`).
    public let emojiWords: [String: String]

    /// Parses `token<TAB>valence` lines and `emoji<TAB>words` lines; malformed lines are skipped.
    public init(lexicon: String, emoji: String) {
        var v: [String: Double] = [:]
        v.reserveCapacity(8192)
        for line in lexicon.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts[0].isEmpty, let x = Double(parts[1]) else { continue }
            v[String(parts[0])] = x
        }
        var e: [String: String] = [:]
        e.reserveCapacity(4096)
        for line in emoji.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { continue }
            e[String(parts[0])] = String(parts[1])
        }
        valences = v
        emojiWords = e
    }

    /// The valence of a lowercase token, nil when the lexicon does not have it.
    public func valence(_ token: String) -> Double? { valences[token] }
}

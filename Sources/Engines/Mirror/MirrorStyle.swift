/// The style features of one message: how long, how formal, how much it asks, exclaims, shouts
/// and uses emoji. Measured by counting, with `formality` an explicit heuristic (below), not a
/// trained model. The rolling ones (`ttr`, `pace`) need the user's history and are filled in by
/// `MirrorUserTable`.
public struct MirrorStyle: Sendable, Equatable {
    /// Words typed (emoji and bare punctuation excluded).
    public var words = 0
    /// Characters (grapheme clusters) of the analysed text.
    public var chars = 0
    /// Sentences: stretches of text with a letter or digit, ended by `.`, `!`, `?`, `…` or the end.
    public var sentences = 0
    /// Sentences ending in a `?` (alone or with `!`).
    public var questions = 0
    /// Sentences ending in a `!` (alone or with `?`).
    public var exclamations = 0
    /// Words written in capitals (`MirrorToken.isShouted`).
    public var shouted = 0
    /// Emoji characters.
    public var emojis = 0
    /// Contractions (`don't`, `we're`, `it's`, …).
    public var contractions = 0
    /// Words of `MirrorWordLists.slang`.
    public var slang = 0
    /// Words of `MirrorWordLists.formal`.
    public var formalWords = 0
    /// A run of two or more `!`/`?` (`!!`, `?!`).
    public var repeatedPunctuation = false
    /// Formality in [0, 1] (`formality(…)`).
    public var formality = 0.5
    /// Type/token ratio over the user's last words (rolling window), filled in per user.
    public var ttr: Double?
    /// Seconds since the user's previous analysed message, nil for the first.
    public var pace: Double?
    /// The words, lowercased, for the rolling vocabulary window.
    public var vocabulary: [String] = []

    /// All counts 0, formality 0.5.
    public init() {}

    /// Questions per sentence, 0...1.
    public var questionRate: Double { sentences > 0 ? Double(questions) / Double(sentences) : 0 }
    /// Exclamations per sentence, 0...1.
    public var exclamationRate: Double { sentences > 0 ? Double(exclamations) / Double(sentences) : 0 }
    /// Words in capitals per word, 0...1.
    public var capsRate: Double { words > 0 ? Double(shouted) / Double(words) : 0 }
    /// Emoji per token typed (emoji + words), 0...1.
    public var emojiRate: Double { words + emojis > 0 ? Double(emojis) / Double(words + emojis) : 0 }

    /// `'s` forms that are contractions rather than possessives.
    static let sContractions: Set<String> = [
        "it's", "that's", "what's", "let's", "he's", "she's", "there's", "here's", "who's", "where's", "how's",
    ]
    static let contractionSuffixes = ["n't", "'re", "'ll", "'ve", "'m", "'d"]

    /// Measures `text`, whose tokens (`MirrorTokenizer`) and emoji count are given.
    public static func measure(_ text: String, tokens: [MirrorToken], emojis: Int) -> MirrorStyle {
        var s = MirrorStyle()
        s.chars = text.count
        s.emojis = emojis
        var letters = 0, upperLetters = 0, longWords = 0
        for t in tokens where t.isWord && !t.fromEmoji {
            for w in t.lower.split(separator: " ") {
                s.words += 1
                s.vocabulary.append(String(w))
                if w.count >= 7 { longWords += 1 }
            }
            if t.isShouted { s.shouted += 1 }
            if contractionSuffixes.contains(where: { t.lower.hasSuffix($0) }) || sContractions.contains(t.lower) {
                s.contractions += 1
            }
            if MirrorWordLists.slang.contains(t.lower) { s.slang += 1 }
            if MirrorWordLists.formal.contains(t.lower) { s.formalWords += 1 }
        }
        // Sentences: each run of terminators closes the stretch before it.
        var hasContent = false
        var run = ""
        func close() {
            if hasContent {
                s.sentences += 1
                if run.contains("?") { s.questions += 1 }
                if run.contains("!") { s.exclamations += 1 }
            }
            if run.count >= 2 && (run.contains("!") || run.contains("?")) { s.repeatedPunctuation = true }
            hasContent = false
            run = ""
        }
        for ch in text {
            if ch == "." || ch == "!" || ch == "?" || ch == "…" {
                run.append(ch)
                continue
            }
            if !run.isEmpty { close() }
            if ch.isLetter || ch.isNumber { hasContent = true }
            if ch.isLetter {
                letters += 1
                if ch.isUppercase { upperLetters += 1 }
            }
        }
        close()
        s.formality = formality(s, text: text, letters: letters, upperLetters: upperLetters, longWords: longWords)
        return s
    }

    /// A heuristic formality score in [0, 1], starting from 0.5:
    /// - down: contractions (-0.15 at one per five words), slang (-0.25 at one per four words),
    ///   any emoji (-0.1), `!!`/`?!` (-0.1), no capital letter at all in three words or more (-0.1),
    ///   mostly capitals (-0.1);
    /// - up: a capital first letter (+0.1), a single final `.`/`!`/`?` (+0.1), long words (7+
    ///   letters, +0.1 at one in four), formal words such as "please", "regards", "however"
    ///   (+0.1 each, up to +0.2).
    /// Only a proxy: it sees punctuation and word choice, not register.
    static func formality(_ s: MirrorStyle, text: String, letters: Int, upperLetters: Int, longWords: Int) -> Double {
        guard s.words > 0 else { return 0.5 }
        let w = Double(s.words)
        var f = 0.5
        f -= 0.15 * min(1, Double(s.contractions) / w * 5)
        f -= 0.25 * min(1, Double(s.slang) / w * 4)
        if s.emojis > 0 { f -= 0.1 }
        if s.repeatedPunctuation { f -= 0.1 }
        if upperLetters == 0 && s.words >= 3 { f -= 0.1 }
        if letters >= 4 && Double(upperLetters) / Double(letters) > 0.6 { f -= 0.1 }
        if let first = text.first(where: { $0.isLetter }), first.isUppercase, upperLetters < letters { f += 0.1 }
        let trimmed = text.reversed().drop(while: { $0.isWhitespace || MirrorStyle.isEmojiLike($0) })
        if let last = trimmed.first, ".!?".contains(last), !s.repeatedPunctuation { f += 0.1 }
        f += 0.1 * min(1, Double(longWords) / w * 4)
        f += min(0.2, 0.1 * Double(s.formalWords))
        return min(1, max(0, f))
    }

    static func isEmojiLike(_ ch: Character) -> Bool {
        ch.unicodeScalars.contains { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }
    }
}

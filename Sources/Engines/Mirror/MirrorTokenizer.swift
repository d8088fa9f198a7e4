/// Splits a message into `MirrorToken`s: on whitespace, with punctuation around words removed
/// (emoticons the lexicon knows, such as `:)` or `:-(`, kept whole), each emoji replaced by the
/// words of its description (`😢` → `crying face`), and the two-word dampeners (`kind of`,
/// `a bit`) joined into one token.
public struct MirrorTokenizer: Sendable {
    /// The tokens of one message, and what the tokenizer counted on the way.
    public struct Output: Sendable, Equatable {
        /// The tokens, in text order.
        public var tokens: [MirrorToken]
        /// Emoji characters (each counts once, however many scalars it has).
        public var emojis: Int
    }

    let lexicon: MirrorLexicon

    /// A tokenizer that keeps `lexicon`'s emoticons whole and reads its emoji descriptions.
    public init(lexicon: MirrorLexicon = .shared) { self.lexicon = lexicon }

    /// The tokens of `text` and its emoji count.
    public func tokenize(_ text: String) -> Output {
        var tokens: [MirrorToken] = []
        var emojis = 0
        var chunk = ""
        func flush() {
            if !chunk.isEmpty { add(chunk, to: &tokens) }
            chunk = ""
        }
        for ch in text {
            if ch.isWhitespace {
                flush()
            } else if let words = emojiWords(ch) {
                flush()
                emojis += 1
                for w in words.split(separator: " ") { tokens.append(MirrorToken(String(w), fromEmoji: true)) }
            } else if Self.isEmoji(ch) {
                flush()
                emojis += 1
            } else {
                // Typographic apostrophes (phones type them) count as plain ones: "don’t" = "don't".
                chunk.append(ch == "\u{2019}" ? "'" : ch)
            }
        }
        flush()
        return Output(tokens: Self.joinPhrases(tokens), emojis: emojis)
    }

    private func add(_ chunk: String, to tokens: inout [MirrorToken]) {
        // An emoticon the lexicon knows stays whole (stripping would leave nothing of ":)").
        if lexicon.valence(chunk.lowercased()) != nil {
            tokens.append(MirrorToken(chunk))
            return
        }
        let isCore: (Character) -> Bool = { $0.isLetter || $0.isNumber }
        guard let first = chunk.firstIndex(where: isCore), let last = chunk.lastIndex(where: isCore) else { return }
        tokens.append(MirrorToken(String(chunk[first...last])))
    }

    /// The description of an emoji the lexicon knows (with or without its variation selector).
    private func emojiWords(_ ch: Character) -> String? {
        guard ch.unicodeScalars.contains(where: { $0.value >= 0x2000 }) else { return nil }
        if let w = lexicon.emojiWords[String(ch)] { return w }
        var bare = String.UnicodeScalarView()
        bare.append(contentsOf: ch.unicodeScalars.filter { $0.value != 0xFE0F })
        return lexicon.emojiWords[String(bare)]
    }

    /// An emoji the lexicon does not describe: a scalar shown as emoji by default, or one asked
    /// to be (U+FE0F).
    static func isEmoji(_ ch: Character) -> Bool {
        guard let first = ch.unicodeScalars.first else { return false }
        if first.properties.isEmojiPresentation { return true }
        return first.properties.isEmoji && ch.unicodeScalars.contains { $0.value == 0xFE0F }
    }

    /// `kind of`, `sort of`, `a bit`, … as one token each.
    static func joinPhrases(_ tokens: [MirrorToken]) -> [MirrorToken] {
        guard tokens.count > 1 else { return tokens }
        var out: [MirrorToken] = []
        out.reserveCapacity(tokens.count)
        var i = 0
        while i < tokens.count {
            if i + 1 < tokens.count, !tokens[i].fromEmoji,
               MirrorWordLists.phrases.contains(where: { $0.0 == tokens[i].lower && $0.1 == tokens[i + 1].lower }) {
                out.append(MirrorToken(tokens[i].text + " " + tokens[i + 1].text))
                i += 2
            } else {
                out.append(tokens[i])
                i += 1
            }
        }
        return out
    }
}

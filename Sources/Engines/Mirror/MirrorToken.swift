/// One token of a message as the mirroring rules see it: a word, an emoticon, or one word of an
/// emoji's description.
public struct MirrorToken: Sendable, Equatable {
    /// As written, without the punctuation around it (`Good` of `"Good!"`).
    public var text: String
    /// Lowercased, the form the lexicon and the word lists are keyed by.
    public var lower: String
    /// Written in capitals: at least two letters and none of them lowercase (`GOOD`, not `I`).
    public var isShouted: Bool
    /// Has a letter or a digit (emoticons do not).
    public var isWord: Bool
    /// Comes from an emoji's description, not from the words typed.
    public var fromEmoji: Bool

    /// A token of `text` (already stripped of surrounding punctuation).
    public init(_ text: String, fromEmoji: Bool = false) {
        self.text = text
        lower = text.lowercased()
        var letters = 0, lowercase = 0, alnum = false
        for ch in text {
            if ch.isLetter {
                letters += 1
                if ch.isLowercase { lowercase += 1 }
            }
            if ch.isLetter || ch.isNumber { alnum = true }
        }
        isShouted = letters >= 2 && lowercase == 0 && text.contains(where: \.isUppercase)
        isWord = alnum
        self.fromEmoji = fromEmoji
    }

    /// A negating word: one of `MirrorWordLists.negators`, or any word ending in `n't`.
    public var isNegator: Bool { MirrorWordLists.negators.contains(lower) || lower.hasSuffix("n't") }
}

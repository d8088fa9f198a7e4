/// The JSON the mirroring engine publishes and answers (docs/engines/mirror.md "Pushes").
public enum MirrorEncoding {
    /// `{"kind":"feedback","valence":…,"arousal":…,"emotions":{…},"dominant":…,"style":{…},
    /// "source":{"topic":…,"offset":…}}`, one per analysed publication.
    public static func feedback(_ a: MirrorAnalysis, topic: String, offset: UInt64) -> [UInt8] {
        var w = MirrorJSONWriter()
        w.open()
        w.string("kind", "feedback")
        w.number("valence", a.valence)
        w.number("arousal", a.arousal)
        emotions(a.emotions, into: &w)
        w.object("style") { s in
            let st = a.style
            s.int("words", st.words)
            s.int("chars", st.chars)
            s.int("sentences", st.sentences)
            s.number("formality", st.formality)
            s.number("question_rate", st.questionRate)
            s.number("exclamation_rate", st.exclamationRate)
            s.number("caps_rate", st.capsRate)
            s.int("emojis", st.emojis)
            s.number("emoji_rate", st.emojiRate)
            s.number("ttr", st.ttr)
            s.number("pace_s", st.pace)
        }
        w.object("source") { s in
            s.string("topic", topic)
            s.int("offset", Int(offset))
        }
        w.close()
        return w.bytes
    }

    /// `{"kind":"profile","user":…,"messages":N,"valence":…,"arousal":…,"emotions":{…},
    /// "dominant":…,"style":{…},"hints":{…},"alpha":…,"updated_ms":…}` (`updated_ms`: Unix ms of the last message analysed).
    public static func profile(_ p: MirrorProfile, user: String, alpha: Double) -> [UInt8] {
        var w = MirrorJSONWriter()
        w.open()
        w.string("kind", "profile")
        w.string("user", user)
        w.int("messages", p.messages)
        w.number("valence", p.valence)
        w.number("arousal", p.arousal)
        emotions(p.emotions, into: &w)
        w.object("style") { s in
            s.number("words", p.words)
            s.number("chars", p.chars)
            s.number("formality", p.formality)
            s.number("question_rate", p.questionRate)
            s.number("exclamation_rate", p.exclamationRate)
            s.number("caps_rate", p.capsRate)
            s.number("emoji_rate", p.emojiRate)
            s.number("ttr", p.ttr)
            s.number("pace_s", p.pace)
        }
        let h = p.hints
        w.object("hints") { o in
            o.int("reply_words", h.replyWords)
            o.string("length", h.length)
            o.string("tone", h.tone)
            o.string("formality", h.formality)
            o.string("energy", h.energy)
            o.bool("emoji", h.emoji)
            o.bool("exclamations", h.exclamations)
        }
        w.number("alpha", alpha)
        w.int("updated_ms", Int(p.updatedMs))
        w.close()
        return w.bytes
    }

    private static func emotions(_ e: MirrorEmotionScores, into w: inout MirrorJSONWriter) {
        w.object("emotions") { o in
            for (i, c) in MirrorEmotion.allCases.enumerated() { o.number(c.rawValue, e.values[i]) }
        }
        w.string("dominant", e.dominant?.rawValue)
    }
}

import Testing
@testable import Engines

/// The style features, counted on fixed messages.
@Suite struct MirrorStyleTests {
    let analyser = MirrorAnalyser()

    func style(_ s: String) -> MirrorStyle { analyser.analyse(s).style }

    @Test func lengthAndSentences() {
        let s = style("Hello there, how are you?")
        #expect(s.words == 5)
        #expect(s.chars == 25)
        #expect(s.sentences == 1)
        #expect(s.questions == 1)
        #expect(s.questionRate == 1)
        #expect(s.exclamationRate == 0)
        let two = style("Stop. Now!")
        #expect(two.sentences == 2)
        #expect(two.exclamations == 1)
        #expect(two.exclamationRate == 0.5)
        #expect(style("what?! really??").questions == 2)
        #expect(style("").words == 0)
        #expect(style("").sentences == 0)
    }

    @Test func capitalsAndEmoji() {
        let s = style("THIS IS fine")
        #expect(s.shouted == 2)
        #expect(abs(s.capsRate - 2.0 / 3) < 1e-12)
        // "I" is one letter: not shouting.
        #expect(style("I think so").shouted == 0)
        let e = style("nice 😀😀")
        #expect(e.words == 1)
        #expect(e.emojis == 2)
        #expect(abs(e.emojiRate - 2.0 / 3) < 1e-12)
        #expect(style("kind of good").words == 3)
    }

    @Test func formalityReadsRegister() {
        let formal = style("Dear team, please find the quarterly report attached. Regards, Ann.")
        let casual = style("lol ur gonna love this haha!! 😀")
        let plain = style("The report is attached.")
        #expect(formal.formality > 0.65)
        #expect(casual.formality < 0.3)
        #expect(formal.formality > plain.formality && plain.formality > casual.formality)
        #expect(style("I don't think we're ready, it's late").contractions == 3)
        #expect(style("John's car").contractions == 0)
        for s in ["", "!!!", "a", "OK OK OK!!!"] { #expect((0...1).contains(style(s).formality)) }
    }

    @Test func theVocabularyWindowKeepsTheLastWords() {
        var w = MirrorWordWindow(capacity: 4)
        #expect(w.ratio == nil)
        w.add(["a", "b", "a"])
        #expect(w.count == 3 && w.distinct == 2)
        w.add(["c", "d"])  // "a" (the first) falls out: b a c d
        #expect(w.count == 4 && w.distinct == 4)
        #expect(w.ratio == 1)
        w.add(["a", "a"])  // c d a a
        #expect(w.distinct == 3)
        #expect(w.ratio == 0.75)
    }

    @Test func ttrAndPaceComeFromTheUsersHistory() {
        var table = MirrorUserTable(maxUsers: 10, windowWords: 100)
        var first = analyser.analyse("the cat and the dog")
        _ = table.record("u", &first, messageNs: 1_000_000_000, nowNs: 0, alpha: 0.2, intervalNs: 0)
        #expect(first.style.pace == nil)
        #expect(first.style.ttr == 0.8)
        var second = analyser.analyse("the cat")
        _ = table.record("u", &second, messageNs: 3_500_000_000, nowNs: 0, alpha: 0.2, intervalNs: 0)
        #expect(second.style.pace == 2.5)
        #expect(second.style.ttr == 4.0 / 7)
    }
}

import Testing
@testable import Engines

/// Arousal and the emotion categories.
@Suite struct MirrorEmotionTests {
    let analyser = MirrorAnalyser()

    @Test func arousalRisesWithIntensityCues() {
        let neutral = analyser.analyse("The meeting is at noon.").arousal
        #expect(abs(neutral - 0.15) < 1e-9)
        let plain = analyser.analyse("I am angry").arousal
        let shouted = analyser.analyse("I AM SO ANGRY!!!").arousal
        #expect(plain > neutral)
        #expect(shouted > plain)
        #expect(shouted > 0.85)
        #expect(analyser.analyse("good!!!").arousal > analyser.analyse("good").arousal)
        #expect(analyser.analyse("very good").arousal > analyser.analyse("good").arousal)
        #expect(analyser.analyse("calm and relaxed, a bit tired").arousal < neutral)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let emotion: MirrorEmotion
        var testDescription: String { "\(emotion): \(text)" }
    }

    static let cases: [Case] = [
        Case(text: "I am so happy today", emotion: .joy),
        Case(text: "I trust you, you are reliable", emotion: .trust),
        Case(text: "I am scared and nervous", emotion: .fear),
        Case(text: "wow, what a surprise", emotion: .surprise),
        Case(text: "I feel sad and lonely", emotion: .sadness),
        Case(text: "that is gross and disgusting", emotion: .disgust),
        Case(text: "I am furious and annoyed", emotion: .anger),
        Case(text: "waiting for tomorrow, eager to start", emotion: .anticipation),
    ]

    @Test(arguments: cases) func aCategoryFiresOnItsWords(_ c: Case) {
        let e = analyser.analyse(c.text).emotions
        #expect(e[c.emotion] >= 0.5, "\(e)")
        #expect(e.dominant == c.emotion, "\(e)")
        for v in e.values { #expect((0...1).contains(v)) }
    }

    @Test func aNegatedKeywordDoesNotCount() {
        let e = analyser.analyse("I am not happy").emotions
        #expect(e[.joy] == 0)
        // What is left is the quadrant: negative and calm.
        #expect(e[.sadness] > 0)
    }

    @Test func theQuadrantGivesAPriorWithoutKeywords() {
        let v = 0.6, a = 0.8
        let e = MirrorAnalyser.emotions([], valence: v, arousal: a)
        #expect(e[.joy] == 0.5 * v)
        let calm = MirrorAnalyser.emotions([], valence: -v, arousal: 0.2)
        #expect(calm[.sadness] == 0.5 * v)
        #expect(MirrorAnalyser.emotions([], valence: 0.01, arousal: 0.9).dominant == nil)
    }
}

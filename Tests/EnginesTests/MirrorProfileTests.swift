import Testing
@testable import Engines

/// The rolling profile: exponentially weighted means, hints, push coalescing, the LRU bound.
@Suite struct MirrorProfileTests {
    let analyser = MirrorAnalyser()

    @Test func theFirstMessageSetsThenEachMovesByAlpha() {
        let a = analyser.analyse("I love this, it is wonderful!")
        let b = analyser.analyse("This is awful.")
        let c = analyser.analyse("ok then")
        var p = MirrorProfile()
        p.update(with: a, alpha: 0.5)
        #expect(p.messages == 1)
        #expect(p.valence == a.valence)
        #expect(p.words == Double(a.style.words))
        p.update(with: b, alpha: 0.5)
        let v2 = a.valence + 0.5 * (b.valence - a.valence)
        #expect(abs(p.valence - v2) < 1e-12)
        p.update(with: c, alpha: 0.5)
        #expect(abs(p.valence - (v2 + 0.5 * (c.valence - v2))) < 1e-12)
        #expect(abs(p.arousal - (0.25 * a.arousal + 0.25 * b.arousal + 0.5 * c.arousal)) < 1e-12)
        let w = 0.25 * Double(a.style.words) + 0.25 * Double(b.style.words) + 0.5 * Double(c.style.words)
        #expect(abs(p.words - w) < 1e-12)
        #expect(p.messages == 3)
    }

    @Test func theProfileConvergesTowardsRepeatedInput() {
        let sad = analyser.analyse("I feel sad and lonely, everything is awful.")
        let glad = analyser.analyse("I love this, it is wonderful!")
        var p = MirrorProfile()
        for _ in 0..<10 { p.update(with: sad, alpha: 0.2) }
        #expect(p.valence < -0.5)
        var gaps: [Double] = []
        for _ in 0..<30 {
            p.update(with: glad, alpha: 0.2)
            gaps.append(abs(p.valence - glad.valence))
        }
        // Each step takes away a fifth of what is left.
        for i in 1..<gaps.count { #expect(abs(gaps[i] - 0.8 * gaps[i - 1]) < 1e-9) }
        #expect(gaps.last! < 0.01)
        #expect(abs(p.emotions[.joy] - glad.emotions[.joy]) < 0.01)
        #expect(p.emotions[.sadness] < 0.01)
    }

    @Test func hintsFollowTheProfile() {
        var casual = MirrorProfile()
        for _ in 0..<5 { casual.update(with: analyser.analyse("lol yay this is awesome!! 😀"), alpha: 0.3) }
        let h = casual.hints
        #expect(h.length == "short")
        #expect(h.replyWords == 5)
        #expect(h.tone == "enthusiastic")
        #expect(h.formality == "casual")
        #expect(h.emoji)
        #expect(h.exclamations)
        var formal = MirrorProfile()
        let letter = "Dear colleagues, I regret to inform you that the quarterly results were disappointing. "
            + "However, I would appreciate your assistance in preparing the revised figures. Regards, Ann."
        formal.update(with: analyser.analyse(letter), alpha: 0.3)
        #expect(formal.hints.formality == "formal")
        #expect(formal.hints.length == "medium")
        #expect(!formal.hints.emoji)
        var angry = MirrorProfile()
        angry.update(with: analyser.analyse("I AM SO ANGRY!!! This is TERRIBLE!"), alpha: 0.3)
        #expect(angry.hints.tone == "calm")
        #expect(angry.hints.energy == "high")
    }

    @Test func profilePushesAreCoalescedToOnePerInterval() {
        var table = MirrorUserTable(maxUsers: 10, windowWords: 50)
        let interval: UInt64 = 500_000_000
        var a = analyser.analyse("good")
        #expect(table.record("u", &a, messageNs: 0, nowNs: 1_000, alpha: 0.2, intervalNs: interval).pushNow)
        var b = analyser.analyse("bad")
        #expect(!table.record("u", &b, messageNs: 0, nowNs: 100_000_000, alpha: 0.2, intervalNs: interval).pushNow)
        var c = analyser.analyse("awful")
        #expect(!table.record("u", &c, messageNs: 0, nowNs: 200_000_000, alpha: 0.2, intervalNs: interval).pushNow)
        #expect(table.pending == 1)
        #expect(table.due(nowNs: 300_000_000, intervalNs: interval).isEmpty)
        let due = table.due(nowNs: 600_000_000, intervalNs: interval)
        #expect(due.map(\.user) == ["u"])
        #expect(due.first?.profile.messages == 3)  // the latest state
        #expect(table.pending == 0)
        #expect(table.due(nowNs: 2_000_000_000, intervalNs: interval).isEmpty)
        var d = analyser.analyse("fine")
        // The flush counted as a push: the next message is within its interval.
        #expect(!table.record("u", &d, messageNs: 0, nowNs: 700_000_000, alpha: 0.2, intervalNs: interval).pushNow)
    }

    @Test func theLeastRecentlyActiveUserIsEvicted() {
        var table = MirrorUserTable(maxUsers: 2, windowWords: 10)
        for user in ["a", "b", "a", "c"] {
            var x = analyser.analyse("hello")
            _ = table.record(user, &x, messageNs: 0, nowNs: 0, alpha: 0.2, intervalNs: 0)
        }
        #expect(table.count == 2)
        #expect(table.evictions == 1)
        #expect(table.profile("b") == nil)
        #expect(table.profile("a")?.messages == 2)
        #expect(table.usersByRecency == ["c", "a"])
    }
}

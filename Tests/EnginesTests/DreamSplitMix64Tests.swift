import Testing
@testable import Engines

/// SplitMix64 against Vigna's reference outputs, and the bounded draw.
@Suite struct DreamSplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // splitmix64.c with x = 1234567 (the published test vector).
        var g = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func belowStaysInRangeAndIsDeterministic() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for bound: UInt64 in [1, 2, 3, 7, 1000, UInt64.max] {
            for _ in 0..<100 {
                let x = a.below(bound)
                #expect(x < bound)
                #expect(x == b.below(bound))
            }
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014; Vigna's reference `splitmix64.c`): the dream engine's
/// explicit, seedable random source.
///
/// Why not the standard library's generator: a stream's tokens must be the same for the same
/// integer seed, prompt and corpus on every machine and every toolchain, so the generator and the
/// way a number in `0..<n` is drawn from it are written here, not left to `random(in:)`, whose
/// algorithm is not promised to stay the same.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's whole state.
    public private(set) var state: UInt64

    /// A generator that starts from `seed` (any value, zero included).
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound ≥ 1) by Lemire's multiply-high: the high word of
    /// `next() × bound`. The bias is at most bound/2^64, far below anything a text could show, and
    /// the draw takes exactly one `next()`, so streams stay in step.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        return next().multipliedFullWidth(by: bound).high
    }
}

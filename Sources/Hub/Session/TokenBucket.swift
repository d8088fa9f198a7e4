/// A token bucket: `rate` tokens a second up to `burst`; each command takes one.
///
/// Time is passed in (ms, the loop's cached clock), so the bucket is a plain value and tests can
/// drive it without sleeping.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var lastMs: UInt64

    /// A full bucket at `now`.
    init(rate: Double, burst: Int, now: UInt64) {
        self.rate = rate
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
        self.lastMs = now
    }

    /// Takes a token if there is one.
    mutating func take(now: UInt64) -> Bool {
        if now > lastMs {
            tokens = min(burst, tokens + Double(now - lastMs) * rate / 1000)
            lastMs = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-mixed 64-bit generator.
///
/// Why our own: generated traces must be byte-identical for the same scenario and seed on
/// every platform and Swift version, and the standard library's generators give no such
/// promise. Every draw goes through integer arithmetic; doubles are built from 53 bits.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one item of a stream, e.g. request `index` of seed `seed`:
    /// independent of how many items came before, so request 7 is the same whatever `--requests` is.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD6E8_FEB8_6659_FD93))
        state = mixer.next() ^ (index &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in `range` (Lemire's multiply-shift; bias < 2^-32 for small ranges, irrelevant here).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }
        let product = next().multipliedFullWidth(by: span)
        return range.lowerBound + Int(product.high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        if p >= 1 { return true }
        if p <= 0 { return false }
        return unit() < p
    }
}

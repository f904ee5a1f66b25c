/// Deterministic weighted choice. The caller's key (a request id) hashes to a
/// point in [0, 1); the cumulative weights split [0, 1) into one interval per
/// backend, in rule order. The same key always lands on the same point, so a
/// weight change moves exactly the keys whose point crosses a boundary: the
/// share the weights say, and no more.
enum WeightedChoice {
    /// FNV-1a over the key's UTF-8 bytes, then the SplitMix64 finalizer to spread
    /// short, similar keys (`req-1`, `req-2`, ...) over the whole range.
    static func point(for key: String, salt: UInt64 = 0) -> Double {
        let start = ByteHash.seed ^ salt
        // The contiguous bytes when the string has them (native and small strings do).
        let hash = key.utf8.withContiguousStorageIfAvailable { $0.reduce(start, ByteHash.mix) }
            ?? key.utf8.reduce(start, ByteHash.mix)
        return Double(ByteHash.spread(hash) >> 11) / Double(UInt64(1) << 53)
    }

    /// The offset whose interval holds `point`, or nil when every weight is 0.
    @inline(__always)
    static func pick<Weights: Collection>(weights: Weights, point: Double) -> Int? where Weights.Element == Int {
        var total = 0
        var lastPositive = -1
        for (offset, weight) in weights.enumerated() where weight > 0 {
            total += weight
            lastPositive = offset
        }
        guard total > 0 else { return nil }
        let target = point * Double(total)
        var cumulative = 0
        for (offset, weight) in weights.enumerated() where weight > 0 {
            cumulative += weight
            if target < Double(cumulative) { return offset }
        }
        return lastPositive
    }
}

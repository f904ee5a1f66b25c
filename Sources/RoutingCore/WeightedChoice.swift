/// Deterministic weighted choice. The caller's key (a request id) hashes to a
/// point in [0, 1); the cumulative weights split [0, 1) into one interval per
/// backend, in rule order. The same key always lands on the same point, so a
/// weight change moves exactly the keys whose point crosses a boundary: the
/// share the weights say, and no more.
enum WeightedChoice {
    /// FNV-1a over the key's UTF-8 bytes, then the SplitMix64 finalizer to spread
    /// short, similar keys (`req-1`, `req-2`, ...) over the whole range.
    static func point(for key: String, salt: UInt64 = 0) -> Double {
        let start: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        // The contiguous bytes when the string has them (native and small strings do).
        var hash = key.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.reduce(start) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        } ?? key.utf8.reduce(start) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 30
        hash &*= 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash &*= 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Double(hash >> 11) / Double(UInt64(1) << 53)
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

/// Deterministic weighted choice. The caller's key (a request id) hashes to a
/// point in [0, 1); the cumulative weights split [0, 1) into one interval per
/// backend, in rule order. The same key always lands on the same point, so a
/// weight change moves exactly the keys whose point crosses a boundary: the
/// share the weights say, and no more.
enum WeightedChoice {
    /// FNV-1a over the key's UTF-8 bytes, then the SplitMix64 finalizer to spread
    /// short, similar keys (`req-1`, `req-2`, ...) over the whole range.
    static func point(for key: String, salt: UInt64 = 0) -> Double {
        // The contiguous bytes when the string has them (native and small strings do).
        key.utf8.withContiguousStorageIfAvailable { point(for: $0, salt: salt) }
            ?? point(hash: key.utf8.reduce(ByteHash.seed ^ salt, ByteHash.mix))
    }

    /// The point of a key given as its UTF-8 bytes (the same as for the String).
    static func point(for key: UnsafeBufferPointer<UInt8>, salt: UInt64 = 0) -> Double {
        point(hash: key.reduce(ByteHash.seed ^ salt, ByteHash.mix))
    }

    private static func point(hash: UInt64) -> Double {
        Double(ByteHash.spread(hash) >> 11) / Double(UInt64(1) << 53)
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

/// Which of `count` shards (a power of two) an identity falls in: the identity multiplied
/// by the 64-bit golden ratio (Fibonacci hashing) and cut from the product's upper half,
/// so identities that differ in only a few bits still land apart. Used for state kept in
/// shards so that event loops do not share a lock (`ProxyMetrics`, `ConnectionPool`).
enum ShardIndex {
    static func of(_ identity: UInt, count: Int) -> Int {
        let mixed = UInt64(identity) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & (count - 1)
    }
}

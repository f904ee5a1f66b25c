import RoutingCore

/// Positions of verdict pairs in the memo, for pairs both of whose verdicts
/// come from the flat index (`RouteVerdict.words`): four words per pair in an
/// open-addressing table. The memo is looked up once per replayed request, and
/// a `Dictionary` would hash each pair with SipHash; this mixes four words.
struct VerdictPairIndex {
    struct Key: Equatable {
        var before: (UInt64, UInt64)
        var after: (UInt64, UInt64)

        init?(_ pair: VerdictPair) {
            guard let before = pair.before.words, let after = pair.after.words else { return nil }
            self.before = before
            self.after = after
        }

        static func == (a: Key, b: Key) -> Bool {
            a.before == b.before && a.after == b.after
        }

        var hash: UInt64 {
            ByteHash.spread(before.0 &* 0x9e37_79b9_7f4a_7c15 ^ before.1 &+ (after.0 ^ (after.1 &* 0xc2b2_ae3d_27d4_eb4f)))
        }
    }

    private var keys: [Key?] = []
    private var positions: [Int] = []
    private var count = 0

    func position(of key: Key) -> Int? {
        guard !keys.isEmpty else { return nil }
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        while let stored = keys[slot] {
            if stored == key { return positions[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds a key not in the index yet; the table stays at most half full.
    mutating func insert(_ key: Key, position: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: key.hash) & mask
        while keys[slot] != nil { slot = (slot + 1) & mask }
        keys[slot] = key
        positions[slot] = position
        count += 1
    }

    mutating func removeAll() {
        for slot in keys.indices { keys[slot] = nil }
        count = 0
    }

    private mutating func grow() {
        let old = zip(keys, positions).compactMap { key, position in key.map { ($0, position) } }
        keys = Array(repeating: nil, count: max(64, keys.count * 2))
        positions = Array(repeating: 0, count: keys.count)
        count = 0
        for (key, position) in old { insert(key, position: position) }
    }
}

import RoutingCore

/// Positions of verdict pairs in the memo, for pairs both of whose verdicts
/// come from the flat index (`RouteVerdict.words`): four words per pair, found
/// through `EntrySlots`. The memo is looked up once per replayed request, and
/// a `Dictionary` would hash each pair with SipHash; this mixes four words.
struct VerdictPairIndex {
    struct Key: Equatable {
        var before: (UInt64, UInt64)
        var after: (UInt64, UInt64)

        init(before: (UInt64, UInt64), after: (UInt64, UInt64)) {
            self.before = before
            self.after = after
        }

        init?(_ before: RouteVerdict, _ after: RouteVerdict) {
            guard let before = before.words, let after = after.words else { return nil }
            self.init(before: before, after: after)
        }

        static func == (a: Key, b: Key) -> Bool {
            a.before == b.before && a.after == b.after
        }

        var hash: UInt64 {
            ByteHash.spread(before.0 &* 0x9e37_79b9_7f4a_7c15 ^ before.1 &+ (after.0 ^ (after.1 &* 0xc2b2_ae3d_27d4_eb4f)))
        }
    }

    private var slots = EntrySlots()
    private var entries: [(key: Key, position: Int)] = []

    func position(of key: Key) -> Int? {
        slots.find(key.hash) { entries[$0].key == key }.entry.map { entries[$0].position }
    }

    /// Adds a key not in the index yet.
    mutating func insert(_ key: Key, position: Int) {
        let hash = key.hash
        let slot = slots.find(hash) { _ in false }.slot
        entries.append((key, position))
        slots.add(hash: hash, at: slot)
    }

    mutating func removeAll() {
        slots.removeAll()
        entries.removeAll(keepingCapacity: true)
    }
}

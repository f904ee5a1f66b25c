/// Open addressing over entries the caller keeps in an array, for the per-request
/// tables of replay (HostTally, VerdictPairIndex) where a `Dictionary` would hash
/// with SipHash. A slot holds an entry's index plus one (0 is empty) in its low
/// half and the high half of the entry's hash in its high half, probed linearly
/// from the hash; the table doubles to stay at most half full.
///
/// The hash beside the index lets a probe reject other entries without reading
/// them: a lookup reads one slot and then the entry it finds, two dependent
/// reads from memory instead of three (slot, hash, entry) when the tables have
/// fallen out of the cache, as they do between requests of a replay. Entry
/// hashes are also kept whole, so growing never hashes a key again.
struct EntrySlots {
    private var slots = [UInt64](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    @inline(__always)
    private static func slot(entry: Int, hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 | UInt64(entry + 1) }

    /// The first entry with `hash` on its probe path that `matches`, else nil
    /// and the empty slot where a new entry with that hash goes.
    @inline(__always)
    func find(_ hash: UInt64, matches: (Int) -> Bool) -> (entry: Int?, slot: Int) {
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        let tag = hash & 0xFFFF_FFFF_0000_0000
        while true {
            let slot = slots[position]
            if slot == 0 { return (nil, position) }
            let entry = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
            if slot & 0xFFFF_FFFF_0000_0000 == tag, matches(entry) { return (entry, position) }
            position = (position + 1) & mask
        }
    }

    /// Adds the next entry (the caller's entry at index `count` so far) with
    /// `hash`, in the empty `slot` that `find` gave.
    mutating func add(hash: UInt64, at slot: Int) {
        hashes.append(hash)
        slots[slot] = Self.slot(entry: hashes.count - 1, hash: hash)
        guard hashes.count * 2 > slots.count else { return }
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, hash) in hashes.enumerated() {
            var position = Int(truncatingIfNeeded: hash) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = Self.slot(entry: entry, hash: hash)
        }
    }

    /// Forgets every entry, keeping the capacity.
    mutating func removeAll() {
        for position in slots.indices { slots[position] = 0 }
        hashes.removeAll(keepingCapacity: true)
    }
}

/// Open addressing over entries the caller keeps in an array, for the per-request
/// tables of replay (HostTally, VerdictPairIndex) where a `Dictionary` would hash
/// with SipHash. A slot holds an entry's index plus one (0 is empty), probed
/// linearly from the entry's hash; the table doubles to stay at most half full.
/// Entry hashes are kept here: a probe compares them before asking the caller,
/// and growing never hashes a key again.
struct EntrySlots {
    private var slots = [Int32](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    /// The first entry with `hash` on its probe path that `matches`, else nil
    /// and the empty slot where a new entry with that hash goes.
    @inline(__always)
    func find(_ hash: UInt64, matches: (Int) -> Bool) -> (entry: Int?, slot: Int) {
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while slots[position] != 0 {
            let entry = Int(slots[position]) - 1
            if hashes[entry] == hash, matches(entry) { return (entry, position) }
            position = (position + 1) & mask
        }
        return (nil, position)
    }

    /// Adds the next entry (the caller's entry at index `count` so far) with
    /// `hash`, in the empty `slot` that `find` gave.
    mutating func add(hash: UInt64, at slot: Int) {
        hashes.append(hash)
        slots[slot] = Int32(hashes.count)
        guard hashes.count * 2 > slots.count else { return }
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, hash) in hashes.enumerated() {
            var position = Int(truncatingIfNeeded: hash) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = Int32(entry + 1)
        }
    }

    /// Forgets every entry, keeping the capacity.
    mutating func removeAll() {
        for position in slots.indices { slots[position] = 0 }
        hashes.removeAll(keepingCapacity: true)
    }
}

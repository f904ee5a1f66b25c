import RoutingCore

/// The (baseline, candidate) outcome combinations counted by one routing thread over
/// every chunk it routes.
///
/// Counts add up in any order, and a combination keeps the candidate lists of the latest
/// chunk that reached it, so the threads' tallies merge into the same totals whichever
/// chunks each thread routed. Kept per thread, they spare every chunk a table of its own
/// and the reading thread a merge of that table per chunk (thousands of combinations
/// each on the `large` scenario).
final class ComboTally {
    private var slots: [ComboKey: Int] = [:]
    private var keys: [ComboKey] = []
    private var values: [ComboValue] = []
    /// The slot of each memo position's combination, valid for one memo and generation:
    /// a chunk then adds each of its compared pairs without hashing its combination.
    private var slotOfPair: [Int32] = []
    private var slotsFor: (memo: ObjectIdentifier, generation: Int)?
    /// By slot: the memo pair (`slotsFor` and a position) whose candidate lists the
    /// slot holds, or -1. A later chunk reaching the slot through the same pair has
    /// the same lists, and setting them again only cost reference counting (2 % of
    /// a replay, thousands of pairs per chunk).
    private var listsFromPair: [Int] = []

    /// Adds `requests` requests of chunk `chunk` that compared as the memo's pair at `position`.
    func add(pair position: Int, of memo: PairMemo, requests: Int, chunk: Int) {
        let owner = (memo: ObjectIdentifier(memo), generation: memo.generation)
        if slotsFor == nil || slotsFor! != owner {
            slotOfPair.removeAll(keepingCapacity: true)
            for slot in listsFromPair.indices { listsFromPair[slot] = -1 }
            slotsFor = owner
        }
        if position >= slotOfPair.count { slotOfPair.append(contentsOf: repeatElement(-1, count: position + 1 - slotOfPair.count)) }
        var slot = Int(slotOfPair[position])
        if slot < 0 {
            slot = self.slot(memo.pairs[position].comparison.combo)
            slotOfPair[position] = Int32(slot)
        }
        count(slot, memo.flags[position], requests: requests, chunk: chunk, pair: position) {
            (memo.pairs[position].before.backends, memo.pairs[position].after.backends)
        }
    }

    /// Adds `requests` requests of chunk `chunk` that compared as `comparison`.
    func add(_ comparison: Comparison, requests: Int, backendsBefore: [WeightedBackend], backendsAfter: [WeightedBackend],
             chunk: Int) {
        count(slot(comparison.combo), PairFlags(comparison), requests: requests, chunk: chunk, pair: -1) { (backendsBefore, backendsAfter) }
    }

    /// Adds this thread's combinations to `totals`.
    func merge(into totals: inout [ComboKey: ComboValue]) {
        totals.reserveCapacity(totals.count + keys.count)
        for (key, value) in zip(keys, values) {
            totals[key, default: ComboValue(lastChunk: -1)].absorb(value)
        }
    }

    private func slot(_ key: ComboKey) -> Int {
        if let slot = slots[key] { return slot }
        slots[key] = keys.count
        keys.append(key)
        values.append(ComboValue(lastChunk: -1))
        listsFromPair.append(-1)
        return keys.count - 1
    }

    /// Within a chunk the first call for a combination sets its candidate lists,
    /// unless they came from the same memo pair (`pair`, -1 for none) last time.
    @inline(__always)
    private func count(_ slot: Int, _ flags: PairFlags, requests: Int, chunk: Int, pair: Int,
                       backends: () -> ([WeightedBackend], [WeightedBackend])) {
        let changed = flags.changed ? requests : 0
        values[slot].add(requests: requests, changed: changed, newlyFailing: flags.newlyFailing ? changed : 0,
                         newlySucceeding: flags.newlySucceeding ? changed : 0)
        if chunk > values[slot].lastChunk {
            values[slot].lastChunk = chunk
            if pair < 0 || listsFromPair[slot] != pair {
                (values[slot].backendsBefore, values[slot].backendsAfter) = backends()
                listsFromPair[slot] = pair
            }
        }
    }
}

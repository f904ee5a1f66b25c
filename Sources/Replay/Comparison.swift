import RoutingCore

/// How one request's two decisions compare: everything the report counts.
struct Comparison: Sendable {
    let combo: ComboKey
    var before: SideKey { combo.before }
    var after: SideKey { combo.after }
    var changed: Bool
    var newlyFailing: Bool
    var newlySucceeding: Bool
    /// Why it changed; empty when it did not.
    var categories: [ChangeCategory]

    init(_ before: Decision, _ after: Decision, identical: Bool) {
        let b = SideKey(before)
        let a = identical ? b : SideKey(after)
        combo = ComboKey(before: b, after: a)
        changed = !identical && ChunkProcessor.differs(before, after)
        newlyFailing = changed && !b.isFailing && a.isFailing
        newlySucceeding = changed && b.isFailing && !a.isFailing
        categories = changed ? ChunkProcessor.categories(before, after, b, a) : []
    }
}

/// Requests whose verdicts in both worlds are request-independent
/// (`RoutingTable.isRequestIndependent`) compare the same way whatever else
/// they carry, so each distinct pair of verdicts is rendered and compared once
/// (`PairMemo`) and the requests that share it are only counted.
struct VerdictPair: Hashable {
    var before: RouteVerdict
    var after: RouteVerdict
}

/// A compared pair of verdicts: the comparison and both worlds' decisions
/// (their weighted candidates for the report; the baseline's route, rule,
/// backend and status for `--verify`, the same for every request of the pair).
struct ComparedPair {
    var comparison: Comparison
    var before: Decision
    var after: Decision
}

/// What every request of a pair is counted by: plain values, read per request
/// without copying the comparison.
struct PairFlags {
    var changed: Bool
    var newlyFailing: Bool
    var newlySucceeding: Bool
    var unmatched: Bool

    init(_ c: Comparison) {
        changed = c.changed
        newlyFailing = c.newlyFailing
        newlySucceeding = c.newlySucceeding
        unmatched = c.before.isUnmatched
    }
}

/// The pairs compared so far for one pair of tables, kept across chunks: the
/// tables change only with the recorded resources, so thousands of chunks
/// usually share them. One per thread (chunks are processed concurrently).
final class PairMemo {
    /// Pairs kept before the memo starts over: distinct pairs number about the
    /// rules times their backends, so this bounds memory on a pathological table
    /// without costing a real one anything.
    static let maxPairs = 1 << 16

    /// Held, not just identified: a table freed while remembered could be
    /// followed by a new one at the same address.
    private var baseline: RoutingTable?
    private var candidate: RoutingTable?
    // Read for every request: unchecked exclusivity (the memo belongs to one
    // thread, and `position` calls its `compare` before touching them).
    /// Pairs of two flat verdicts (nearly all); `index` holds the others.
    @exclusivity(unchecked) private var flatIndex = VerdictPairIndex()
    @exclusivity(unchecked) private var index: [VerdictPair: Int] = [:]
    @exclusivity(unchecked) private(set) var pairs: [ComparedPair] = []
    @exclusivity(unchecked) private(set) var flags: [PairFlags] = []
    /// Counts the times the memo started over: a position names the same pair only
    /// within one generation.
    private(set) var generation = 0

    /// Forgets everything unless `job` routes against the same tables.
    func use(_ job: Job) {
        if baseline === job.baseline, candidate === job.candidate, pairs.count < Self.maxPairs { return }
        baseline = job.baseline
        candidate = job.candidate
        flatIndex.removeAll()
        index.removeAll(keepingCapacity: true)
        pairs.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        generation += 1
    }

    /// The position of the pair (`before`, `after`), comparing it first (with
    /// `compare`) if it is new. The pair is built only for verdicts without words:
    /// building it for every request copied both verdicts' references.
    @inline(__always)
    func position(of before: RouteVerdict, _ after: RouteVerdict, compare: () -> ComparedPair) -> Int {
        let key = VerdictPairIndex.Key(before, after)
        if let key {
            if let known = flatIndex.position(of: key) { return known }
        } else if let known = index[VerdictPair(before: before, after: after)] {
            return known
        }
        let compared = compare()
        pairs.append(compared)
        flags.append(PairFlags(compared.comparison))
        if let key { flatIndex.insert(key, position: pairs.count - 1) } else { index[VerdictPair(before: before, after: after)] = pairs.count - 1 }
        return pairs.count - 1
    }
}

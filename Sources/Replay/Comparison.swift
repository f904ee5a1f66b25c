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
///
/// Requests whose verdicts in both worlds are request-independent
/// (`RoutingTable.isRequestIndependent`) compare the same way whatever else
/// they carry, so each distinct pair of verdicts is rendered and compared once
/// and the requests that share it are only counted. Pairs are keyed by the
/// verdicts' words; a verdict without words is compared per request.
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
    @exclusivity(unchecked) private var index = VerdictPairIndex()
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
        index.removeAll()
        pairs.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        generation += 1
    }

    /// The position of a pair of verdicts, given by their words, comparing it
    /// first (with `compare`) if it is new.
    @inline(__always)
    func position(of key: VerdictPairIndex.Key, compare: () -> ComparedPair) -> Int {
        if let known = index.position(of: key) { return known }
        let compared = compare()
        pairs.append(compared)
        flags.append(PairFlags(compared.comparison))
        index.insert(key, position: pairs.count - 1)
        return pairs.count - 1
    }
}

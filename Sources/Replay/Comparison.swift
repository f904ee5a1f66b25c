import RoutingCore

/// How one request's two decisions compare: everything the report counts.
struct Comparison: Sendable {
    var before: SideKey
    var after: SideKey
    var changed: Bool
    var newlyFailing: Bool
    var newlySucceeding: Bool
    /// Why it changed; empty when it did not.
    var categories: [ChangeCategory]

    init(_ before: Decision, _ after: Decision, identical: Bool) {
        self.before = SideKey(before)
        self.after = identical ? self.before : SideKey(after)
        changed = !identical && ChunkProcessor.differs(before, after)
        newlyFailing = changed && !self.before.isFailing && self.after.isFailing
        newlySucceeding = changed && self.before.isFailing && !self.after.isFailing
        categories = changed ? ChunkProcessor.categories(before, after, self.before, self.after) : []
    }
}

/// Requests whose verdicts in both worlds are request-independent
/// (`RoutingTable.isRequestIndependent`) compare the same way whatever else
/// they carry, so a chunk renders and compares each distinct pair of verdicts
/// once and only counts the requests that share it.
struct VerdictPair: Hashable {
    var before: RouteVerdict
    var after: RouteVerdict
}

struct PairTally {
    var comparison: Comparison
    var backendsBefore: [WeightedBackend]
    var backendsAfter: [WeightedBackend]
    var requests = 0
}

import EventLog
import GatewayAPI
import RoutingCore

/// One world's outcome for a request, as a grouping key: the rule (with its
/// match), the backend, the outcome and the status. Hashes only the cheap,
/// discriminating members; equality compares everything.
struct SideKey: Hashable, Sendable {
    var rule: RuleRef?
    var backend: BackendRef?
    var outcome: Decision.Outcome
    var status: Int

    init(_ d: Decision) {
        rule = d.route
        backend = d.backend
        outcome = d.outcome
        status = d.status ?? -1
    }

    func hash(into hasher: inout Hasher) {
        if let rule {
            hasher.combine(rule.name)
            hasher.combine(rule.rule)
            hasher.combine(rule.match ?? -1)
        } else {
            hasher.combine(-2)
        }
        if let backend {
            hasher.combine(backend.name)
            hasher.combine(backend.port ?? -1)
        } else {
            hasher.combine(-2)
        }
        hasher.combine(status)
    }

    var isFailing: Bool { outcome == .error }
    /// 404 with no route: nothing matched.
    var isUnmatched: Bool { outcome == .error && status == 404 && rule == nil }

    /// `forward`, `404`, `redirect 301`, `respond 204`.
    var label: String { Self.label(outcome: outcome, status: status) }

    static func label(outcome: Decision.Outcome, status: Int) -> String {
        switch outcome {
        case .forward: return "forward"
        case .redirect: return "redirect \(status)"
        case .respond: return "respond \(status)"
        case .error: return String(status)
        }
    }

    /// The backend when forwarded, else the outcome label (patterns).
    var target: String { outcome == .forward ? (backend?.description ?? "forward") : label }

    var routeID: String? { rule.map { "\($0.kind.lowercased())/\($0.namespace)/\($0.name)" } }
    var ruleID: String? { rule.map { "\($0.kind.lowercased())/\($0.namespace)/\($0.name)/rule/\($0.rule)" } }
}

/// A (baseline, candidate) combination of outcomes. Its hash is computed once:
/// every chunk adds each of its compared pairs to its combination, and every
/// merge adds each combination again.
struct ComboKey: Hashable, Sendable {
    let before: SideKey
    let after: SideKey
    private let hashCode: Int

    init(before: SideKey, after: SideKey) {
        self.before = before
        self.after = after
        var hasher = Hasher()
        hasher.combine(before)
        hasher.combine(after)
        hashCode = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hashCode) }

    static func == (a: ComboKey, b: ComboKey) -> Bool { a.hashCode == b.hashCode && a.before == b.before && a.after == b.after }
}

struct ComboValue: Sendable {
    var requests = 0
    var changed = 0
    var newlyFailing = 0
    var newlySucceeding = 0
    /// The rule's weighted candidates in each world, as of `lastChunk`.
    var backendsBefore: [WeightedBackend] = []
    var backendsAfter: [WeightedBackend] = []
    var lastChunk = 0

    @inline(__always)
    mutating func add(requests: Int, changed: Int, newlyFailing: Int, newlySucceeding: Int) {
        self.requests += requests
        self.changed += changed
        self.newlyFailing += newlyFailing
        self.newlySucceeding += newlySucceeding
    }

    /// Adds the counts of a later chunk, whose candidates are the newer ones.
    mutating func absorb(_ later: ComboValue) {
        add(requests: later.requests, changed: later.changed, newlyFailing: later.newlyFailing, newlySucceeding: later.newlySucceeding)
        if later.lastChunk >= lastChunk {
            lastChunk = later.lastChunk
            backendsBefore = later.backendsBefore
            backendsAfter = later.backendsAfter
        }
    }
}

struct HostCounts: Sendable {
    var requests = 0
    var changed = 0
    var newlyFailing = 0

    @inline(__always)
    static func count(_ value: inout HostCounts, changed: Bool, newlyFailing: Bool) {
        value.requests += 1
        if changed {
            value.changed += 1
            if newlyFailing { value.newlyFailing += 1 }
        }
    }

    mutating func absorb(_ other: HostCounts) {
        requests += other.requests
        changed += other.changed
        newlyFailing += other.newlyFailing
    }
}

/// A changed-request pattern: method, host, path template and the outcome on each side.
struct PatternKey: Hashable, Sendable {
    var method: String
    var host: String
    var template: String
    var before: TargetKey
    var after: TargetKey
    /// Why these requests changed: tells apart changes whose targets read the same
    /// (a redirect's Location, a rewritten path).
    var categories: [ChangeCategory]
}

struct TargetKey: Hashable, Sendable {
    var outcome: Decision.Outcome
    var status: Int
    var backend: BackendRef?

    init(_ side: SideKey) {
        outcome = side.outcome
        status = side.status
        backend = side.outcome == .forward ? side.backend : nil
    }

    /// The outcome as its position, not its raw value: a String hashed for
    /// every changed request otherwise.
    func hash(into hasher: inout Hasher) {
        switch outcome {
        case .forward: hasher.combine(0)
        case .redirect: hasher.combine(1)
        case .respond: hasher.combine(2)
        case .error: hasher.combine(3)
        }
        hasher.combine(status)
        hasher.combine(backend)
    }

    var text: String {
        outcome == .forward ? (backend?.description ?? "forward") : SideKey.label(outcome: outcome, status: status)
    }
}

struct PatternValue: Sendable {
    var count = 0
    var examples: [String] = []
    /// For a redirect or rewrite, what its first request changed to (ChunkProcessor.detail).
    var detail: String?
}

/// Everything the report needs, summed over a chunk of requests (or over all of
/// them). Merging is associative and keeps log order for examples, so the
/// result does not depend on how the requests were split into chunks.
struct Aggregate: Sendable {
    static let maxExamples = 3

    var requests = 0
    var changed = 0
    var newlyFailing = 0
    var newlySucceeding = 0
    var unmatched = 0
    /// Recorded as refused by the gateway before routing: not routed, not compared.
    var refused = 0
    var categories = [Int](repeating: 0, count: ChangeCategory.allCases.count)
    /// Filled once every chunk is routed, from the routing threads' `ComboTally`s.
    var combos: [ComboKey: ComboValue] = [:]
    var hosts: [String: HostCounts] = [:]
    var patterns: [PatternKey: PatternValue] = [:]
    var timeline: TimeHistogram
    var verification = Verification()
    /// Changed rows, in log order, when exporting (handed on at merge time, not kept).
    var rows: [ChangedRequestRow] = []
    /// Set when a request line of the chunk did not decode; the chunk stops there.
    var failure: LineFailure?

    init(origin: Int64) {
        timeline = TimeHistogram(origin: origin)
    }

    /// Adds `other`, which comes after everything merged so far in log order.
    mutating func merge(_ other: Aggregate, maxDisagreements: Int) {
        requests += other.requests
        changed += other.changed
        newlyFailing += other.newlyFailing
        newlySucceeding += other.newlySucceeding
        unmatched += other.unmatched
        refused += other.refused
        for i in categories.indices { categories[i] += other.categories[i] }
        for (key, value) in other.hosts {
            hosts[key, default: HostCounts()].absorb(value)
        }
        for (key, value) in other.patterns {
            if var mine = patterns[key] {
                mine.count += value.count
                if mine.examples.count < Self.maxExamples {
                    mine.examples += value.examples.prefix(Self.maxExamples - mine.examples.count)
                }
                patterns[key] = mine
            } else {
                patterns[key] = value
            }
        }
        timeline.merge(other.timeline)
        verification.observed += other.verification.observed
        verification.agreed += other.verification.agreed
        if verification.examples.count < maxDisagreements {
            verification.examples += other.verification.examples.prefix(maxDisagreements - verification.examples.count)
        }
    }
}

import RoutingCore

/// What a candidate change does to recorded traffic: the replay engine fills
/// it, the renderers (text, Markdown, HTML, JSON) and `--fail-on` read it.
/// Every list is sorted with explicit tie-breaks, so equal inputs give
/// byte-identical reports whatever the thread count.
public struct ImpactReport: Sendable, Equatable {
    /// The trace and change that were replayed (paths, counts, seed/time window).
    public var input: ReplayInput
    /// Requests replayed.
    public var requests: Int
    /// Requests whose outcome differs between baseline and candidate.
    public var changed: Int
    public var changedFraction: Double { requests == 0 ? 0 : Double(changed) / Double(requests) }
    /// Succeeding (2xx/3xx or forwarded) before, failing (4xx/5xx, no route) after.
    public var newlyFailing: Int
    public var newlySucceeding: Int
    /// Changed requests per category (a request may count in several).
    public var categories: [ChangeCategory: Int]
    /// Status transitions, e.g. "forward -> 404", with counts, most frequent first.
    public var statusTransitions: [Transition]
    /// Breakdowns of changed requests.
    public var byHostname: [Breakdown]
    public var byRoute: [Breakdown]
    public var byRule: [Breakdown]
    /// Backend shares before and after, for every rule that has weighted backends (in either world).
    public var rules: [RuleShares]
    /// The most frequent changed request patterns (method host path-template, before -> after) with examples.
    public var patterns: [ChangedPattern]
    /// Resources whose computed status differs between the worlds.
    public var statusChanges: [StatusChange]
    /// Candidate rules that no replayed request reaches.
    public var unreachedRules: [String]
    /// Those of `unreachedRules` that belong to routes the change applies (`--with`).
    public var unreachedChangedRules: [String]
    /// Recorded requests that match nothing in the baseline (404 no route).
    public var unmatchedBaseline: Int
    /// Recorded requests the gateway refused before routing them (malformed, too
    /// large: `ObservedOutcome.refusedBeforeRouting`). It would refuse them in
    /// either world, so they are neither routed nor counted in `requests`.
    public var refusedBeforeRouting: Int
    /// Changed requests per time bucket (for "changes over time" charts).
    public var timeline: [TimeBucket]
    /// `--verify`: the baseline against the outcomes recorded in the trace (nil without `--verify`).
    public var verification: Verification?
    /// The `--fail-on` gates, evaluated on this report, so that a report posted on a
    /// pull request says why the check failed (empty without `--fail-on`).
    public var gates: [GateResult]

    public init(input: ReplayInput) {
        self.input = input
        requests = 0
        changed = 0
        newlyFailing = 0
        newlySucceeding = 0
        categories = [:]
        statusTransitions = []
        byHostname = []
        byRoute = []
        byRule = []
        rules = []
        patterns = []
        statusChanges = []
        unreachedRules = []
        unreachedChangedRules = []
        unmatchedBaseline = 0
        refusedBeforeRouting = 0
        timeline = []
        verification = nil
        gates = []
    }
}

/// What was replayed.
public struct ReplayInput: Sendable, Equatable {
    public var trace: String
    public var with: [String]
    public var without: [String]
    /// Microseconds since the epoch from which the change applies (nil = the start).
    public var atMicros: Int64?
    public var firstEventMicros: Int64?
    public var lastEventMicros: Int64?
    /// Set when the trace ended early (truncated): what the reader said.
    public var warning: String?

    public init(trace: String, with: [String] = [], without: [String] = [], atMicros: Int64? = nil) {
        self.trace = trace
        self.with = with
        self.without = without
        self.atMicros = atMicros
    }
}

/// Why a request's outcome changed. A request can change in several ways at once.
public enum ChangeCategory: String, Sendable, CaseIterable, Comparable {
    case routeOrRule = "route-or-rule"
    case backend
    case status
    case redirect
    case rewrite
    case newlyRouted = "newly-routed"
    case newlyUnrouted = "newly-unrouted"

    public static func < (a: ChangeCategory, b: ChangeCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// An outcome change and how often it happened: `from` / `to` are short outcome
/// labels such as `forward`, `404`, `500`, `redirect 301`.
public struct Transition: Sendable, Equatable {
    public var from: String
    public var to: String
    public var count: Int
}

/// Changed requests grouped by a key (hostname, route id, rule id).
public struct Breakdown: Sendable, Equatable {
    public var key: String
    public var requests: Int
    public var changed: Int
    public var newlyFailing: Int
}

/// A rule's backend shares before and after: the configured weight share and
/// the share of replayed requests that actually went to each backend.
public struct RuleShares: Sendable, Equatable {
    /// Stable rule id, e.g. `httproute/ns/name/rule/0`.
    public var rule: String
    public var requestsBefore: Int
    public var requestsAfter: Int
    public var before: [BackendShare]
    public var after: [BackendShare]
}

public struct BackendShare: Sendable, Equatable {
    /// `namespace/name:port`.
    public var backend: String
    /// weight / total weight in that world (0 when absent there).
    public var configured: Double
    /// Replayed requests sent to it / requests reaching the rule in that world.
    public var observed: Double
    public var requests: Int
}

/// A frequent kind of change, with up to three example request ids.
public struct ChangedPattern: Sendable, Equatable {
    public var method: String
    public var host: String
    public var pathTemplate: String
    public var before: String
    public var after: String
    /// Why its requests changed (in `ChangeCategory` order).
    public var categories: [ChangeCategory]
    public var count: Int
    public var examples: [String]
    /// For a redirect or a rewrite, whose targets read the same: the first example's
    /// Location, or forwarded host and path, before and after.
    public var detail: String?
}

/// A resource whose status condition differs between the worlds.
public struct StatusChange: Sendable, Equatable {
    /// `Kind/ns/name`, and for routes the parent it concerns.
    public var object: String
    public var parent: String?
    public var condition: String
    public var before: String
    public var after: String

    /// Conditions that are good when True (Accepted, ResolvedRefs, Programmed) and bad when
    /// True (Conflicted, OverlappingTLSConfig), as the Gateway API gives their polarity.
    static let positive: Set<String> = ["Accepted", "ResolvedRefs", "Programmed"]
    static let negative: Set<String> = ["Conflicted", "OverlappingTLSConfig"]

    /// Something that worked stops working: a positive condition True before and False
    /// after, or a negative one turning True. An object (or parent) the change removes,
    /// `absent` after, and one it adds, `absent` before, are changes, not regressions.
    public var isRegression: Bool {
        guard before != "absent", after != "absent" else { return false }
        let wasTrue = before.hasPrefix("True"), isTrue = after.hasPrefix("True")
        if Self.positive.contains(condition) { return wasTrue && !isTrue }
        if Self.negative.contains(condition) { return !wasTrue && isTrue }
        return false
    }
}

/// Requests and changed requests in one time bucket.
public struct TimeBucket: Sendable, Equatable {
    public var startMicros: Int64
    public var requests: Int
    public var changed: Int
}

import EventLog
import GatewayAPI
import RoutingCore

/// A recorded request waiting to be routed: decoded (from an event store), or
/// still a trace line, decoded by the worker that routes it.
struct PendingRequest: Sendable {
    enum Source: Sendable {
        /// Boxed: a record is some 300 bytes, a line reference 50, and a chunk holds
        /// thousands of either.
        indirect case record(RequestRecord)
        /// `range` in the job's `lines`.
        case line(Range<Int>, RequestLine)
    }

    var source: Source
    var timeMicros: Int64
}

/// A request line that does not decode: the replay stops there, as the trace
/// reader would have (ReplayError.damaged).
struct LineFailure: Sendable, Equatable {
    var line: RequestLine
    var message: String
}

/// A chunk of consecutive requests that all see the same pair of tables.
struct Job: Sendable {
    var index: Int
    var baseline: RoutingTable
    var candidate: RoutingTable
    /// The candidate table is the baseline's: route once.
    var identical: Bool
    var requests: [PendingRequest]
    /// The bytes of the undecoded request lines.
    var lines: [UInt8] = []
}

/// Settings shared by every chunk.
struct ChunkSettings: Sendable {
    var origin: Int64
    var verify: Bool
    var collectRows: Bool
    var maxDisagreements: Int
    var comparesPairsOnce: Bool
}

/// Routes one chunk in both worlds and sums what the report needs. Pure: the
/// same chunk always gives the same aggregate, on any thread.
enum ChunkProcessor {
    static func process(_ job: Job, settings: ChunkSettings, memo: PairMemo) -> Aggregate {
        var agg = Aggregate(origin: settings.origin)
        var gatewayText: String?
        var gatewayKey: ObjectKey?
        memo.use(job)
        // Requests of this chunk per memo position, and the positions used.
        var perPair: [Int] = []
        var pairsUsed: [Int] = []
        var decoder = RequestLineDecoder()
        for pending in job.requests {
            let record: RequestRecord
            switch pending.source {
            case .record(let decoded):
                record = decoded
            case .line(let range, let line):
                do {
                    record = try job.lines.withUnsafeBufferPointer { try decoder.decode(UnsafeBufferPointer(rebasing: $0[range])) }
                } catch {
                    agg.failure = LineFailure(line: line, message: TraceReader.badLineMessage(line: line.lineNumber, error))
                    return agg
                }
            }
            var gateway: ObjectKey?
            if let text = record.gateway {
                if text == gatewayText { gateway = gatewayKey } else {
                    gateway = parseGateway(text)
                    gatewayText = text
                    gatewayKey = gateway
                }
            }
            if let proto = l4Protocol(record.scheme) {
                let connection = ConnectionRequest(gateway: gateway, port: record.port, protocol: proto, sni: record.sni)
                let before = job.baseline.routeConnection(connection, key: record.id)
                let after = job.identical ? before : job.candidate.routeConnection(connection, key: record.id)
                add(record: record, time: pending.timeMicros, before: before, after: after, identical: job.identical,
                    chunk: job.index, settings: settings, to: &agg)
                continue
            }
            let request = RouteRequest(gateway: gateway, port: record.port, scheme: httpScheme(record.scheme), method: record.method,
                                       host: record.host, path: record.path,
                                       headers: record.headers, sni: record.sni)
            let verdictBefore = job.baseline.verdict(request, key: record.id)
            let verdictAfter = job.identical ? verdictBefore : job.candidate.verdict(request, key: record.id)
            /// Both worlds' full decisions for this request.
            func decisions() -> (before: Decision, after: Decision) {
                let before = job.baseline.decision(for: verdictBefore, request: request, key: record.id)
                return (before, job.identical ? before : job.candidate.decision(for: verdictAfter, request: request, key: record.id))
            }
            guard settings.comparesPairsOnce, job.baseline.isRequestIndependent(verdictBefore),
                  job.candidate.isRequestIndependent(verdictAfter) else {
                let (before, after) = decisions()
                add(record: record, time: pending.timeMicros, before: before, after: after, identical: job.identical,
                    chunk: job.index, settings: settings, to: &agg)
                continue
            }
            let position = memo.position(of: VerdictPair(before: verdictBefore, after: verdictAfter)) {
                let (before, after) = decisions()
                return ComparedPair(comparison: Comparison(before, after, identical: job.identical), before: before, after: after)
            }
            if position >= perPair.count { perPair.append(contentsOf: repeatElement(0, count: position + 1 - perPair.count)) }
            if perPair[position] == 0 { pairsUsed.append(position) }
            perPair[position] += 1
            let flags = memo.flags[position]
            countEvery(host: record.host, time: pending.timeMicros, flags, to: &agg)
            if flags.changed { countChanged(record: record, time: pending.timeMicros, memo.pairs[position].comparison, settings: settings, to: &agg) }
            if settings.verify, record.observed != nil {
                verify(record: record, time: pending.timeMicros, before: memo.pairs[position].before, settings: settings, to: &agg)
            }
        }
        // In memo order: a fixed order, whatever order the pairs came in.
        for position in pairsUsed.sorted() {
            let pair = memo.pairs[position]
            combine(pair.comparison, requests: perPair[position], backendsBefore: pair.before.backends,
                    backendsAfter: pair.after.backends, chunk: job.index, to: &agg)
        }
        return agg
    }

    /// One request compared from its two full decisions.
    static func add(record: RequestRecord, time: Int64, before: Decision, after: Decision, identical: Bool,
                    chunk: Int, settings: ChunkSettings, to agg: inout Aggregate) {
        let comparison = Comparison(before, after, identical: identical)
        combine(comparison, requests: 1, backendsBefore: before.backends, backendsAfter: after.backends, chunk: chunk, to: &agg)
        count(record: record, time: time, comparison, settings: settings, to: &agg)
        if settings.verify, record.observed != nil { verify(record: record, time: time, before: before, settings: settings, to: &agg) }
    }

    /// Adds `requests` requests that compared as `comparison` to their
    /// (baseline outcome, candidate outcome) combination.
    static func combine(_ comparison: Comparison, requests: Int, backendsBefore: [WeightedBackend], backendsAfter: [WeightedBackend],
                        chunk: Int, to agg: inout Aggregate) {
        let changed = comparison.changed ? requests : 0
        agg.combos[ComboKey(before: comparison.before, after: comparison.after),
                   default: ComboValue(backendsBefore: backendsBefore, backendsAfter: backendsAfter, lastChunk: chunk)]
            .add(requests: requests, changed: changed, newlyFailing: comparison.newlyFailing ? changed : 0,
                 newlySucceeding: comparison.newlySucceeding ? changed : 0)
    }

    /// The per-request counts: totals, hosts, timeline, and for a changed
    /// request its categories, pattern and row.
    @inline(__always)
    static func count(record: RequestRecord, time: Int64, _ comparison: Comparison, settings: ChunkSettings, to agg: inout Aggregate) {
        countEvery(host: record.host, time: time, PairFlags(comparison), to: &agg)
        if comparison.changed { countChanged(record: record, time: time, comparison, settings: settings, to: &agg) }
    }

    /// What every request adds: totals, its host, the timeline.
    @inline(__always)
    static func countEvery(host: String, time: Int64, _ flags: PairFlags, to agg: inout Aggregate) {
        agg.requests += 1
        if flags.unmatched { agg.unmatched += 1 }
        HostCounts.count(&agg.hosts[host, default: HostCounts()], changed: flags.changed, newlyFailing: flags.newlyFailing)
        agg.timeline.add(timeMicros: time, changed: flags.changed)
        guard flags.changed else { return }
        agg.changed += 1
        if flags.newlyFailing { agg.newlyFailing += 1 }
        if flags.newlySucceeding { agg.newlySucceeding += 1 }
    }

    /// What a changed request adds besides: its categories, pattern and row.
    static func countChanged(record: RequestRecord, time: Int64, _ comparison: Comparison, settings: ChunkSettings, to agg: inout Aggregate) {
        let b = comparison.before
        let a = comparison.after
        let cats = comparison.categories
        for (i, category) in ChangeCategory.allCases.enumerated() where cats.contains(category) { agg.categories[i] += 1 }
        let pattern = PatternKey(method: record.method, host: record.host, template: PathTemplate.of(record.path),
                                 before: TargetKey(b), after: TargetKey(a))
        if var value = agg.patterns[pattern] {
            value.count += 1
            if value.examples.count < Aggregate.maxExamples { value.examples.append(record.id) }
            agg.patterns[pattern] = value
        } else {
            agg.patterns[pattern] = PatternValue(count: 1, examples: [record.id])
        }
        if settings.collectRows {
            agg.rows.append(ChangedRequestRow(id: record.id, timeMicros: time, method: record.method, host: record.host, path: record.path,
                                              before: side(b), after: side(a), categories: cats))
        }
    }

    /// `--verify`: the baseline decision against the outcome the trace recorded.
    static func verify(record: RequestRecord, time: Int64, before: Decision, settings: ChunkSettings, to agg: inout Aggregate) {
        guard let observed = record.observed else { return }
        agg.verification.observed += 1
        if VerifyCheck.agrees(observed, before) {
            agg.verification.agreed += 1
        } else if agg.verification.examples.count < settings.maxDisagreements {
            agg.verification.examples.append(Disagreement(id: record.id, timeMicros: time, recorded: VerifyCheck.describe(observed),
                                                          baseline: VerifyCheck.describe(before)))
        }
    }

    /// The change test: rule (ignoring the match index), backend, outcome and
    /// status, redirect location, forwarded host and path.
    @inline(__always)
    static func differs(_ x: Decision, _ y: Decision) -> Bool {
        if x.outcome != y.outcome || x.status != y.status { return true }
        if !sameRule(x.route, y.route) { return true }
        if x.backend != y.backend { return true }
        if x.redirect?.location != y.redirect?.location { return true }
        return x.request.host != y.request.host || x.request.path != y.request.path
    }

    @inline(__always)
    static func sameRule(_ x: RuleRef?, _ y: RuleRef?) -> Bool {
        switch (x, y) {
        case (nil, nil): return true
        case let (p?, q?): return p.rule == q.rule && p.name == q.name && p.namespace == q.namespace && p.kind == q.kind
        default: return false
        }
    }

    /// Why a changed request changed (sorted, at least one category).
    static func categories(_ x: Decision, _ y: Decision, _ b: SideKey, _ a: SideKey) -> [ChangeCategory] {
        var result: [ChangeCategory] = []
        if x.route != nil, y.route != nil, !sameRule(x.route, y.route) { result.append(.routeOrRule) }
        if x.outcome == .forward, y.outcome == .forward, x.backend != y.backend { result.append(.backend) }
        if b.label != a.label { result.append(.status) }
        if x.redirect?.location != y.redirect?.location { result.append(.redirect) }
        if x.outcome == y.outcome, x.request.host != y.request.host || x.request.path != y.request.path { result.append(.rewrite) }
        if x.route == nil, y.route != nil { result.append(.newlyRouted) }
        if x.route != nil, y.route == nil { result.append(.newlyUnrouted) }
        if result.isEmpty { result.append(.rewrite) }
        return result
    }

    static func side(_ s: SideKey) -> ChangedRequestRow.Side {
        ChangedRequestRow.Side(route: s.routeID, rule: s.ruleID, backend: s.outcome == .forward ? s.backend?.description : nil,
                               status: s.label, statusCode: s.outcome == .forward ? nil : s.status)
    }

    static func parseGateway(_ text: String) -> ObjectKey? {
        guard let slash = text.firstIndex(of: "/") else {
            return text.isEmpty ? nil : ObjectKey(kind: "Gateway", namespace: "default", name: text)
        }
        return ObjectKey(kind: "Gateway", namespace: String(text[..<slash]), name: String(text[text.index(after: slash)...]))
    }

    static func l4Protocol(_ scheme: String) -> ListenerProtocol? {
        switch scheme {
        case "tls": return .tls
        case "tcp": return .tcp
        case "udp": return .udp
        default: return nil
        }
    }

    static func httpScheme(_ scheme: String) -> String {
        switch scheme {
        case "grpc", "h2c": return "http"
        case "grpcs": return "https"
        default: return scheme
        }
    }
}

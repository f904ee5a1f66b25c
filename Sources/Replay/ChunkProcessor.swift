import EventLog
import GatewayAPI
import RoutingCore

/// A recorded request waiting to be routed: decoded (from an event store), or
/// still a trace line, decoded by the worker that routes it.
struct PendingRequest: Sendable {
    /// Plain data, no references: appending, copying and freeing a chunk's
    /// thousands of entries are plain stores (with the record inline, each was a
    /// call through the enum's value witnesses, 3 % of a two-thread replay).
    enum Source: Sendable {
        /// Index in the job's `records`.
        case record(Int)
        /// `range` of the job's `lineBuffers[buffer]`.
        case line(buffer: Int, Range<Int>, RequestLine)
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
    /// The two tables, and which of the candidate's answers the baseline's give.
    var pair: TablePair
    var baseline: RoutingTable { pair.baseline }
    var candidate: RoutingTable { pair.candidate }
    /// The candidate table is the baseline's: route once.
    var identical: Bool { pair.identical }
    var requests: [PendingRequest]
    /// The trace reader's buffers the undecoded request lines lie in, held until the
    /// chunk is routed (TraceReader.nextLineBuffer).
    var lineBuffers: [LineBuffer] = []
    /// Requests decoded by the reader (a log store, or lines not in the writer's layout).
    var records: [RequestRecord] = []
}

/// Settings shared by every chunk.
struct ChunkSettings: Sendable {
    var origin: Int64
    var verify: Bool
    var collectRows: Bool
    var maxDisagreements: Int
    var comparesPairsOnce: Bool
}

/// Routes one chunk in both worlds and sums what the report needs. The same chunk
/// always gives the same aggregate, on any thread; its outcome combinations go to the
/// routing thread's `tally`.
enum ChunkProcessor {
    static func process(_ job: Job, settings: ChunkSettings, memo: PairMemo, tally: ComboTally) -> Aggregate {
        memo.use(job)
        var run = ChunkRun(job: job, settings: settings, memo: memo, tally: tally)
        for pending in job.requests {
            switch pending.source {
            case .record(let index):
                run.route(job.records[index], time: pending.timeMicros)
            case .line(let buffer, let range, let line):
                if !run.route(line: job.lineBuffers[buffer].lines(range), line, pair: job.pair) { return run.agg }
            }
        }
        return run.finish()
    }

    /// One request compared from its two full decisions: the totals, its host,
    /// the timeline, and for a changed request its pattern and row.
    static func add(record: RequestRecord, time: Int64, before: Decision, after: Decision, identical: Bool,
                    chunk: Int, settings: ChunkSettings, tally: ComboTally, changed: inout ChangedTally, to agg: inout Aggregate) {
        let comparison = Comparison(before, after, identical: identical)
        tally.add(comparison, requests: 1, backendsBefore: before.backends, backendsAfter: after.backends, chunk: chunk)
        let flags = PairFlags(comparison)
        HostCounts.count(&agg.hosts[record.host, default: HostCounts()], changed: flags.changed, newlyFailing: flags.newlyFailing)
        countEvery(time: time, flags, to: &agg)
        if comparison.changed {
            changed.countDirect(pattern(method: record.method, host: ReportBuilder.normalizeHost(record.host), template: PathTemplate.of(record.path),
                                        comparison),
                                detail: { detail(comparison.categories, before, after) }, id: record.id)
            if settings.collectRows { agg.rows.append(row(record: record, time: time, comparison)) }
        }
        if settings.verify, record.observed != nil { verify(record: record, time: time, before: before, settings: settings, to: &agg) }
    }

    /// What every request adds besides its host: totals, the timeline.
    @inline(__always)
    static func countEvery(time: Int64, _ flags: PairFlags, to agg: inout Aggregate) {
        agg.requests += 1
        if flags.unmatched { agg.unmatched += 1 }
        agg.timeline.add(timeMicros: time, changed: flags.changed)
        guard flags.changed else { return }
        agg.changed += 1
        if flags.newlyFailing { agg.newlyFailing += 1 }
        if flags.newlySucceeding { agg.newlySucceeding += 1 }
    }

    /// The pattern a changed request with `comparison` counts in.
    static func pattern(method: String, host: String, template: String, _ comparison: Comparison) -> PatternKey {
        PatternKey(method: method, host: host, template: template, before: TargetKey(comparison.before), after: TargetKey(comparison.after),
                   categories: comparison.categories)
    }

    /// A changed request's row for `--export`.
    static func row(record: RequestRecord, time: Int64, _ comparison: Comparison) -> ChangedRequestRow {
        ChangedRequestRow(id: record.id, timeMicros: time, method: record.method, host: record.host, path: record.path,
                          before: side(comparison.before), after: side(comparison.after), categories: comparison.categories)
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

    /// What a redirect or rewrite changed to, for a pattern's first request: its targets
    /// read the same (`redirect 301 -> redirect 301`), so the report says which Location
    /// or which forwarded host and path.
    static func detail(_ categories: [ChangeCategory], _ before: Decision, _ after: Decision) -> String? {
        var parts: [String] = []
        if categories.contains(.redirect) {
            parts.append("Location \(before.redirect?.location ?? "none") -> \(after.redirect?.location ?? "none")")
        }
        if categories.contains(.rewrite) {
            parts.append("forwarded as \(before.request.host)\(before.request.path) -> \(after.request.host)\(after.request.path)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    static func side(_ s: SideKey) -> ChangedRequestRow.Side {
        ChangedRequestRow.Side(route: s.routeID, rule: s.ruleID, backend: s.outcome == .forward ? s.backend?.description : nil,
                               status: s.label, statusCode: s.outcome == .forward ? nil : s.status)
    }

    static func parseGateway(_ text: String) -> ObjectKey? {
        guard let slash = text.firstIndex(of: "/") else {
            return text.isEmpty ? nil : ObjectKey(kind: "Gateway", namespace: ResourceKinds.defaultNamespace, name: text)
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

    /// Whether a recorded scheme is HTTPS, for the schemes `httpScheme` maps
    /// to `http` or `https`; nil for any other. Compared as bytes against each
    /// literal of the scheme's length: a string built per request line cost
    /// about 1 % of a replay, and packing the bytes into a word to look it up
    /// in a list another 1 %.
    @inline(__always)
    static func isHTTPS(scheme: UnsafeBufferPointer<UInt8>) -> Bool? {
        func `is`(_ literal: StaticString) -> Bool {
            Bytes.equal(UnsafeRawPointer(scheme.baseAddress!), UnsafeRawPointer(literal.utf8Start), count: literal.utf8CodeUnitCount)
        }
        switch scheme.count {
        case 4: return `is`("http") || `is`("grpc") ? false : nil
        case 5: return `is`("https") || `is`("grpcs") ? true : nil
        case 3: return `is`("h2c") ? false : nil
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

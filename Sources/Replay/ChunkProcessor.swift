import EventLog
import GatewayAPI
import RoutingCore

/// A recorded request waiting to be routed.
struct PendingRequest: Sendable {
    var record: RequestRecord
    var timeMicros: Int64
}

/// A chunk of consecutive requests that all see the same pair of tables.
struct Job: Sendable {
    var index: Int
    var baseline: RoutingTable
    var candidate: RoutingTable
    /// The candidate table is the baseline's: route once.
    var identical: Bool
    var requests: [PendingRequest]
}

/// Settings shared by every chunk.
struct ChunkSettings: Sendable {
    var origin: Int64
    var verify: Bool
    var collectRows: Bool
    var maxDisagreements: Int
}

/// Routes one chunk in both worlds and sums what the report needs. Pure: the
/// same chunk always gives the same aggregate, on any thread.
enum ChunkProcessor {
    static func process(_ job: Job, settings: ChunkSettings) -> Aggregate {
        var agg = Aggregate(origin: settings.origin)
        var gatewayText: String?
        var gatewayKey: ObjectKey?
        for pending in job.requests {
            let record = pending.record
            var gateway: ObjectKey?
            if let text = record.gateway {
                if text == gatewayText { gateway = gatewayKey } else {
                    gateway = parseGateway(text)
                    gatewayText = text
                    gatewayKey = gateway
                }
            }
            let before: Decision
            let after: Decision
            if let proto = l4Protocol(record.scheme) {
                let connection = ConnectionRequest(gateway: gateway, port: record.port, protocol: proto, sni: record.sni)
                before = job.baseline.routeConnection(connection, key: record.id)
                after = job.identical ? before : job.candidate.routeConnection(connection, key: record.id)
            } else {
                let request = RouteRequest(gateway: gateway, port: record.port, scheme: httpScheme(record.scheme), method: record.method,
                                           host: record.host, path: record.path,
                                           headers: record.headers.map { HTTPHeader(name: $0.name, value: $0.value) }, sni: record.sni)
                before = job.baseline.route(request, key: record.id)
                after = job.identical ? before : job.candidate.route(request, key: record.id)
            }
            add(record: record, time: pending.timeMicros, before: before, after: after, identical: job.identical,
                chunk: job.index, settings: settings, to: &agg)
        }
        return agg
    }

    @inline(__always)
    static func add(record: RequestRecord, time: Int64, before: Decision, after: Decision, identical: Bool,
                    chunk: Int, settings: ChunkSettings, to agg: inout Aggregate) {
        let b = SideKey(before)
        let a = identical ? b : SideKey(after)
        let isChanged = !identical && differs(before, after)
        let newlyFailing = isChanged && !b.isFailing && a.isFailing
        let newlySucceeding = isChanged && b.isFailing && !a.isFailing

        agg.requests += 1
        if b.isUnmatched { agg.unmatched += 1 }
        // One dictionary access per map and request.
        ComboValue.count(&agg.combos[ComboKey(before: b, after: a),
                                     default: ComboValue(backendsBefore: before.backends, backendsAfter: after.backends, lastChunk: chunk)],
                         changed: isChanged, newlyFailing: newlyFailing, newlySucceeding: newlySucceeding)
        HostCounts.count(&agg.hosts[record.host, default: HostCounts()], changed: isChanged, newlyFailing: newlyFailing)
        agg.timeline.add(timeMicros: time, changed: isChanged)

        if isChanged {
            agg.changed += 1
            if newlyFailing { agg.newlyFailing += 1 }
            if newlySucceeding { agg.newlySucceeding += 1 }
            let cats = categories(before, after, b, a)
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

        if settings.verify, let observed = record.observed {
            agg.verification.observed += 1
            if VerifyCheck.agrees(observed, before) {
                agg.verification.agreed += 1
            } else if agg.verification.examples.count < settings.maxDisagreements {
                agg.verification.examples.append(Disagreement(id: record.id, timeMicros: time, recorded: VerifyCheck.describe(observed),
                                                              baseline: VerifyCheck.describe(before)))
            }
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

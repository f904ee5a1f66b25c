import GatewayAPI
import RoutingCore

/// Turns the summed aggregate into the report: breakdowns, rule shares,
/// patterns, status changes, unreached rules and the timeline, every list
/// sorted with explicit tie-breaks.
enum ReportBuilder {
    static let topPatterns = 20

    static func build(input: ReplayInput, total: Aggregate, lastRequestMicros: Int64?,
                      baselineStatus: StatusReport, candidateStatus: StatusReport,
                      candidateResources: ResourceSet, options: ReplayOptions) -> ImpactReport {
        var report = ImpactReport(input: input)
        report.requests = total.requests
        report.changed = total.changed
        report.newlyFailing = total.newlyFailing
        report.newlySucceeding = total.newlySucceeding
        report.unmatchedBaseline = total.unmatched
        report.refusedBeforeRouting = total.refused
        for (i, category) in ChangeCategory.allCases.enumerated() { report.categories[category] = total.categories[i] }

        // Transitions and breakdowns by route and rule, from the outcome combinations.
        var transitions: [TransitionKey: Int] = [:]
        var routes: [String: HostCounts] = [:]
        var rules: [String: HostCounts] = [:]
        for (key, value) in total.combos {
            let from = key.before.label, to = key.after.label
            if from != to { transitions[TransitionKey(from: from, to: to), default: 0] += value.requests }
            for (ids, into) in [([key.before.routeID, key.after.routeID], 0), ([key.before.ruleID, key.after.ruleID], 1)] {
                var seen: Set<String> = []
                for id in ids.compactMap({ $0 }) where seen.insert(id).inserted {
                    var counts = (into == 0 ? routes[id] : rules[id]) ?? HostCounts()
                    counts.requests += value.requests
                    counts.changed += value.changed
                    counts.newlyFailing += value.newlyFailing
                    if into == 0 { routes[id] = counts } else { rules[id] = counts }
                }
            }
        }
        report.statusTransitions = transitions.map { Transition(from: $0.key.from, to: $0.key.to, count: $0.value) }
            .sorted { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) }

        var hosts: [String: HostCounts] = [:]
        for (host, counts) in total.hosts {
            let key = normalizeHost(host)
            hosts[key, default: HostCounts()].requests += counts.requests
            hosts[key, default: HostCounts()].changed += counts.changed
            hosts[key, default: HostCounts()].newlyFailing += counts.newlyFailing
        }
        report.byHostname = breakdowns(hosts)
        report.byRoute = breakdowns(routes)
        report.byRule = breakdowns(rules)
        report.rules = ruleShares(total.combos)
        report.patterns = patterns(total.patterns)
        report.statusChanges = statusChanges(baselineStatus, candidateStatus)
        let unreachedRules = unreached(candidateResources, status: candidateStatus, reached: reachedRules(total.combos))
        report.unreachedRules = unreachedRules.map(\.id)
        // The change's own rules among them: what a reviewer asks of a new rule ("does any
        // recorded request reach it?"), apart from rules traffic never reached before either.
        let changed = Set(options.change.objects.map(\.resource.key))
        report.unreachedChangedRules = unreachedRules.filter { changed.contains($0.route) }.map(\.id)
        report.timeline = total.timeline.buckets(options.timelineBuckets)
        if options.verify { report.verification = total.verification }
        return report
    }

    struct TransitionKey: Hashable {
        var from: String
        var to: String
    }

    /// Lower-cased, without a port suffix or a trailing dot (as routing sees it).
    static func normalizeHost(_ host: String) -> String {
        var host = host
        var out: [UInt8] = []
        host.withUTF8 { appendNormalizedHost($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `normalizeHost` of a Host's bytes, appended to `out`: byte by byte for
    /// visible ASCII (nearly every Host), because changed requests are counted by
    /// it, where the character-by-character form cost more than routing the request.
    static func appendNormalizedHost(_ host: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let end = normalizedVisibleASCIILength(host) else {
            out.append(contentsOf: normalizeHostByCharacters(String(decoding: host, as: UTF8.self)).utf8)
            return
        }
        for byte in host[..<end] { out.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
    }

    /// For a Host of visible ASCII only, how many of its bytes `normalizeHost`
    /// keeps (each byte is a character there, and the digits are `0`–`9`); nil for any other.
    private static func normalizedVisibleASCIILength(_ host: UnsafeBufferPointer<UInt8>) -> Int? {
        guard host.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let colon = UInt8(ascii: ":"), close = UInt8(ascii: "]")
        let bracketed = host.first == UInt8(ascii: "[")
        var end = host.count
        if let last = host.lastIndex(of: colon), host.last != close,
           host[(last + 1)...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
           !host.contains(close) || bracketed, host.firstIndex(of: colon) == last || bracketed {
            end = last
        }
        if end > 1, host[end - 1] == UInt8(ascii: ".") { end -= 1 }
        return end
    }

    /// `normalizeHost` for any Host.
    static func normalizeHostByCharacters(_ host: String) -> String {
        var h = Substring(host)
        if let colon = h.lastIndex(of: ":"), !h.hasSuffix("]"), h[h.index(after: colon)...].allSatisfy(\.isNumber), !h.contains("]") || h.hasPrefix("[") {
            if h.firstIndex(of: ":") == colon || h.hasPrefix("[") { h = h[..<colon] }
        }
        if h.count > 1, h.hasSuffix(".") { h = h.dropLast() }
        return h.lowercased()
    }

    /// Keys with at least one changed request: most changed first, then most requests, then key.
    static func breakdowns(_ map: [String: HostCounts]) -> [Breakdown] {
        map.filter { $0.value.changed > 0 }
            .map { Breakdown(key: $0.key, requests: $0.value.requests, changed: $0.value.changed, newlyFailing: $0.value.newlyFailing) }
            .sorted { ($1.changed, $1.requests, $0.key) < ($0.changed, $0.requests, $1.key) }
    }

    // MARK: rule shares

    struct WorldShares {
        var requests = 0
        var byBackend: [String: Int] = [:]
        var configured: [WeightedBackend] = []
        var configuredChunk = -1
    }

    static func ruleShares(_ combos: [ComboKey: ComboValue]) -> [RuleShares] {
        var before: [String: WorldShares] = [:]
        var after: [String: WorldShares] = [:]
        func add(_ side: SideKey, _ value: ComboValue, backends: [WeightedBackend], into map: inout [String: WorldShares]) {
            guard let id = side.ruleID else { return }
            var shares = map[id] ?? WorldShares()
            shares.requests += value.requests
            if side.outcome == .forward, let backend = side.backend { shares.byBackend[backend.description, default: 0] += value.requests }
            // The latest configuration seen; equal chunks share one table, hence one configuration.
            if value.lastChunk > shares.configuredChunk || (value.lastChunk == shares.configuredChunk && shares.configured.isEmpty) {
                shares.configured = backends
                shares.configuredChunk = value.lastChunk
            }
            map[id] = shares
        }
        for (key, value) in combos {
            add(key.before, value, backends: value.backendsBefore, into: &before)
            add(key.after, value, backends: value.backendsAfter, into: &after)
        }
        var result: [RuleShares] = []
        for id in Set(before.keys).union(after.keys).sorted() {
            let b = before[id] ?? WorldShares(), a = after[id] ?? WorldShares()
            guard !b.configured.isEmpty || !a.configured.isEmpty else { continue }
            // One backend order for both lists: the baseline's configuration, then the candidate's, then anything observed.
            var order: [String] = []
            var seen: Set<String> = []
            for name in b.configured.map(\.backend.description) + a.configured.map(\.backend.description)
                + (Set(b.byBackend.keys).union(a.byBackend.keys)).sorted() where seen.insert(name).inserted {
                order.append(name)
            }
            func list(_ w: WorldShares) -> [BackendShare] {
                order.map { name in
                    let configured = w.configured.filter { $0.backend.description == name }.reduce(0.0) { $0 + $1.share }
                    let count = w.byBackend[name] ?? 0
                    return BackendShare(backend: name, configured: configured,
                                        observed: w.requests == 0 ? 0 : Double(count) / Double(w.requests), requests: count)
                }
            }
            result.append(RuleShares(rule: id, requestsBefore: b.requests, requestsAfter: a.requests, before: list(b), after: list(a)))
        }
        return result
    }

    // MARK: patterns

    static func patterns(_ map: [PatternKey: PatternValue]) -> [ChangedPattern] {
        let all = map.map { key, value in
            ChangedPattern(method: key.method, host: key.host, pathTemplate: key.template, before: key.before.text,
                           after: key.after.text, categories: key.categories, count: value.count, examples: value.examples, detail: value.detail)
        }
        return Array(all.sorted {
            if $0.count != $1.count { return $0.count > $1.count }
            if ($0.method, $0.host, $0.pathTemplate, $0.before, $0.after) != ($1.method, $1.host, $1.pathTemplate, $1.before, $1.after) {
                return ($0.method, $0.host, $0.pathTemplate, $0.before, $0.after) < ($1.method, $1.host, $1.pathTemplate, $1.before, $1.after)
            }
            return $0.categories.lexicographicallyPrecedes($1.categories)
        }.prefix(topPatterns))
    }

    // MARK: status

    struct ConditionKey: Hashable, Comparable {
        var object: String
        var parent: String
        var condition: String
        static func < (a: ConditionKey, b: ConditionKey) -> Bool {
            (a.object, a.parent, a.condition) < (b.object, b.parent, b.condition)
        }
    }

    static func flatten(_ status: StatusReport) -> [ConditionKey: String] {
        var result: [ConditionKey: String] = [:]
        func put(_ object: String, _ parent: String, _ conditions: [Condition]) {
            for c in conditions { result[ConditionKey(object: object, parent: parent, condition: c.type)] = "\(c.status) \(c.reason)" }
        }
        for item in status.gatewayClasses { put(item.key.description, "", item.conditions) }
        for item in status.gateways {
            put(item.key.description, "", item.conditions)
            for listener in item.listeners {
                put(item.key.description, "listener/\(listener.name)", listener.conditions)
                result[ConditionKey(object: item.key.description, parent: "listener/\(listener.name)", condition: "attachedRoutes")] = String(listener.attachedRoutes)
            }
        }
        for item in status.routes {
            for parent in item.parents {
                let ref = parent.parentRef
                var text = "\(ref.kind)/\(ref.namespace ?? item.key.namespace)/\(ref.name)"
                if let section = ref.sectionName { text += "/\(section)" }
                if let port = ref.port { text += ":\(port)" }
                put(item.key.description, text, parent.conditions)
            }
        }
        return result
    }

    static func statusChanges(_ before: StatusReport, _ after: StatusReport) -> [StatusChange] {
        guard before != after else { return [] }
        let b = flatten(before), a = flatten(after)
        return Set(b.keys).union(a.keys).sorted().compactMap { key in
            let x = b[key] ?? "absent", y = a[key] ?? "absent"
            guard x != y else { return nil }
            return StatusChange(object: key.object, parent: key.parent.isEmpty ? nil : key.parent, condition: key.condition, before: x, after: y)
        }
    }

    // MARK: unreached rules

    static func reachedRules(_ combos: [ComboKey: ComboValue]) -> Set<String> {
        Set(combos.keys.compactMap(\.after.ruleID))
    }

    /// Rules of candidate routes accepted by at least one parent, minus those a request
    /// reached, sorted by id, each with its route.
    static func unreached(_ resources: ResourceSet, status: StatusReport, reached: Set<String>) -> [(id: String, route: ObjectKey)] {
        var accepted: Set<ObjectKey> = []
        for route in status.routes where route.parents.contains(where: { $0.conditions.contains { $0.type == "Accepted" && $0.isTrue } }) {
            accepted.insert(route.key)
        }
        var ids: [(id: String, route: ObjectKey)] = []
        func add(_ kind: String, _ meta: ObjectMeta, _ count: Int) {
            let key = ObjectKey(kind: kind, namespace: meta.namespace, name: meta.name)
            guard accepted.contains(key) else { return }
            for i in 0..<count { ids.append(("\(kind.lowercased())/\(meta.namespace)/\(meta.name)/rule/\(i)", key)) }
        }
        for route in resources.httpRoutes { add("HTTPRoute", route.meta, route.rules.count) }
        for route in resources.grpcRoutes { add("GRPCRoute", route.meta, route.rules.count) }
        for route in resources.l4Routes { add(route.kind.rawValue, route.meta, route.rules.count) }
        return ids.filter { !reached.contains($0.id) }.sorted { $0.id < $1.id }
    }
}

import GatewayAPI
import RoutingCore

/// Compares the status the compiler wrote with a step's status expectations,
/// the way upstream's wait helpers do once the state has settled: a listed
/// condition must exist with the given status (and reason, when given);
/// listeners and route parents not mentioned are not checked.
package enum StatusCheck {
    /// The kinds whose status gwsim computes.
    static let checkedKinds: Set<String> = ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ListenerSet", "BackendTLSPolicy"]

    /// Differences, each a short sentence naming the object.
    /// `generation` gives an object's `metadata.generation`: upstream's wait
    /// helpers also require conditions to carry the latest observedGeneration
    /// (the point of the ObservedGenerationBump cases).
    package static func check(_ expectations: [StatusExpectation], report: StatusReport, generation: (ObjectKey) -> Int?) -> [String] {
        expectations.flatMap { check($0, report: report, generation: generation) }
    }

    static func check(_ e: StatusExpectation, report: StatusReport, generation: (ObjectKey) -> Int?) -> [String] {
        let key = ObjectKey(kind: e.kind, namespace: e.namespace, name: e.name)
        let current = generation(key)
        func conditions(_ expected: [ConditionExpectation], _ actual: [Condition], _ label: String) -> [String] {
            StatusCheck.conditions(expected, actual, label, generation: current)
        }
        let label = e.namespace.isEmpty ? "\(e.kind) \(e.name)" : "\(e.kind) \(e.namespace)/\(e.name)"
        switch e.kind {
        case "GatewayClass":
            guard let status = report.gatewayClass(e.name) else { return ["\(label): no status"] }
            return conditions(e.conditions, status.conditions, label)
        case "Gateway":
            guard let status = report.gateway(key) else { return ["\(label): no status"] }
            var out = conditions(e.conditions, status.conditions, label)
            for listener in e.listeners { out += check(listener, status.listeners, label, generation: current) }
            if let expected = e.attachedListenerSets, expected != status.attachedListenerSets {
                out.append("\(label): expected attachedListenerSets \(expected), got \(status.attachedListenerSets)")
            }
            return out
        case "BackendTLSPolicy":
            guard let status = report.policy(key) else { return ["\(label): no status"] }
            let asRoute = RouteStatus(key: key, parents: status.ancestors.map {
                RouteParentStatus(parentRef: $0.ancestorRef, controllerName: $0.controllerName, conditions: $0.conditions)
            })
            return e.ancestors.flatMap { check($0, asRoute, label, generation: current) }
        case "ListenerSet":
            guard let status = report.listenerSet(key) else { return ["\(label): no status"] }
            var out = conditions(e.conditions, status.conditions, label)
            for listener in e.listeners { out += check(listener, status.listeners, label, generation: current) }
            return out
        default:
            guard let status = report.route(key) else {
                return e.parents.isEmpty ? [] : ["\(label): no status"]
            }
            var out: [String] = []
            for parent in e.parents { out += check(parent, status, label, generation: current) }
            for absent in e.absentParents where status.parents.contains(where: { matches(absent, $0.parentRef, routeNamespace: e.namespace) }) {
                out.append("\(label): parent \(absent) must not appear in status")
            }
            return out
        }
    }

    // MARK: - Pieces

    static func conditions(_ expected: [ConditionExpectation], _ actual: [Condition], _ label: String, generation: Int?) -> [String] {
        expected.compactMap { want in
            guard let got = actual.first(where: { $0.type == want.type }) else {
                return "\(label): expected condition \(describe(want)), missing"
            }
            let statusOK = want.status.map { $0.lowercased() == got.status.lowercased() } ?? true
            let reasonOK = want.reason.map { $0 == got.reason } ?? true
            if statusOK && reasonOK {
                guard let generation, got.observedGeneration != generation else { return nil }
                return "\(label): \(got.type) has observedGeneration \(got.observedGeneration), expected \(generation)"
            }
            return "\(label): expected \(describe(want)), got \(got.type)=\(got.status) (\(got.reason))"
        }
    }

    static func describe(_ c: ConditionExpectation) -> String {
        "\(c.type)=\(c.status ?? "any")" + (c.reason.map { " (\($0))" } ?? "")
    }

    static func check(_ want: ListenerExpectation, _ listeners: [ListenerStatus], _ label: String, generation: Int?) -> [String] {
        let where_ = "\(label) listener \(want.name)"
        guard let got = listeners.first(where: { $0.name == want.name }) else {
            return ["\(where_): missing from status (have: \(listeners.map(\.name).joined(separator: ", ")))"]
        }
        var out: [String] = []
        if let attached = want.attachedRoutes, attached != got.attachedRoutes {
            out.append("\(where_): expected attachedRoutes \(attached), got \(got.attachedRoutes)")
        }
        if let kinds = want.supportedKinds {
            let actual = got.supportedKinds.map { "\($0.group)/\($0.kind)" }
            if kinds.isEmpty, !actual.isEmpty {
                out.append("\(where_): expected no supportedKinds, got \(actual.joined(separator: ", "))")
            }
            for kind in kinds where !actual.contains("\(kind.group)/\(kind.kind)") {
                out.append("\(where_): expected supportedKinds to include \(kind.kind), got [\(actual.joined(separator: ", "))]")
            }
        }
        return out + conditions(want.conditions, got.conditions, where_, generation: generation)
    }

    /// Upstream accepts any status parent entry that matches the reference and
    /// carries the conditions; when none does, report against the closest one.
    static func check(_ want: ParentExpectation, _ status: RouteStatus, _ label: String, generation: Int?) -> [String] {
        let where_ = "\(label) parent \(want.parentRef)"
        let candidates = status.parents.filter { matches(want.parentRef, $0.parentRef, routeNamespace: status.key.namespace) }
        guard !candidates.isEmpty else {
            let have = status.parents.map { describe($0.parentRef) }.joined(separator: ", ")
            return ["\(where_): missing from status (have: \(have.isEmpty ? "none" : have))"]
        }
        var best: [String]?
        for candidate in candidates {
            var out = conditions(want.conditions, candidate.conditions, where_, generation: generation)
            if candidate.controllerName != SuiteRuntime.controllerName {
                out.append("\(where_): controllerName \(candidate.controllerName), expected \(SuiteRuntime.controllerName)")
            }
            if out.isEmpty { return [] }
            if best == nil || out.count < best!.count { best = out }
        }
        return best ?? []
    }

    static func matches(_ want: ParentRefExpectation, _ got: ParentReference, routeNamespace: String) -> Bool {
        guard want.name == got.name else { return false }
        if let namespace = want.namespace, namespace != (got.namespace ?? routeNamespace) { return false }
        if let kind = want.kind, kind != got.kind { return false }
        if let group = want.group, group != got.group { return false }
        if let section = want.sectionName, section != got.sectionName { return false }
        if let port = want.port, port != got.port { return false }
        return true
    }

    static func describe(_ ref: ParentReference) -> String {
        var text = "\(ref.namespace.map { "\($0)/" } ?? "")\(ref.name)"
        if let section = ref.sectionName { text += "/\(section)" }
        if let port = ref.port { text += ":\(port)" }
        return text
    }
}

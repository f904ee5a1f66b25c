import GatewayAPI

/// One listener a route attached to, with the hostnames it serves there.
struct Attachment {
    let gatewayIndex: Int
    let listenerIndex: Int
    let hostnames: [String]
    /// Index of the parent (in the route's status parents) this attachment came from.
    var parentIndex = 0
}

/// Attaches routes to listeners and writes route status (shared_types.go,
/// ParentReference and RouteParentStatus; gateway_types.go, AllowedRoutes).
struct RouteAttacher {
    let context: CompileContext
    /// Gateways this controller manages, in key order.
    var gateways: [GatewayState]
    let gatewayIndex: [ObjectKey: Int]
    /// Every Gateway in the input, managed or not (to tell "not ours" from "missing").
    let allGateways: Set<ObjectKey>
    let controllerName: (ObjectKey) -> String

    init(context: CompileContext, gateways: [GatewayState], allGateways: Set<ObjectKey>, controllerName: @escaping (ObjectKey) -> String) {
        self.context = context
        self.gateways = gateways
        var index: [ObjectKey: Int] = [:]
        for (i, gateway) in gateways.enumerated() { index[gateway.key] = i }
        self.gatewayIndex = index
        self.allGateways = allGateways
        self.controllerName = controllerName
    }

    /// Attaches one route; returns its attachments and its status (nil when no
    /// parent is a Gateway this controller manages).
    mutating func attach(_ route: RouteView) -> ([Attachment], RouteStatus?) {
        let resolved = resolvedRefs(route)
        let generation = route.meta.generation
        var attachments: [Attachment] = []
        var parents: [RouteParentStatus] = []

        for (parentRef, candidates) in parentCandidates(route) {
            guard let gatewayIdx = candidates.gateway else {
                parents.append(RouteParentStatus(parentRef: parentRef, controllerName: candidates.controller, conditions: [
                    Condition("Accepted", false, reason: "NoMatchingParent", message: candidates.message, observedGeneration: generation),
                    resolved.condition(generation),
                ]))
                continue
            }
            let outcome = attachToListeners(route, parentRef: parentRef, gatewayIdx: gatewayIdx, listenerIndices: candidates.listeners)
            var conditions: [Condition] = []
            if outcome.attachments.isEmpty {
                conditions.append(Condition("Accepted", false, reason: outcome.reason, message: outcome.message, observedGeneration: generation))
            } else if route.invalidRules.count == route.backendsPerRule.count && !route.invalidRules.isEmpty {
                // Not Accepted, so not attached: listeners count only Accepted routes
                // (gateway_types.go, ListenerStatus.AttachedRoutes).
                for attachment in outcome.attachments {
                    gateways[attachment.gatewayIndex].listeners[attachment.listenerIndex].attachedRoutes -= 1
                }
                conditions.append(Condition("Accepted", false, reason: "UnsupportedValue",
                                            message: "every rule is invalid: " + route.invalidRules.sorted { $0.key < $1.key }.map { "rule \($0.key): \($0.value)" }.joined(separator: "; "),
                                            observedGeneration: generation))
            } else {
                attachments += outcome.attachments.map { var a = $0; a.parentIndex = parents.count; return a }
                conditions.append(Condition("Accepted", true, reason: "Accepted", message: "route is accepted", observedGeneration: generation))
                if !route.invalidRules.isEmpty {
                    let dropped = route.invalidRules.sorted { $0.key < $1.key }.map { "rule \($0.key): \($0.value)" }.joined(separator: "; ")
                    conditions.append(Condition("PartiallyInvalid", true, reason: "UnsupportedValue",
                                                message: "Dropped Rule(s): \(dropped)", observedGeneration: generation))
                }
            }
            conditions.append(resolved.condition(generation))
            parents.append(RouteParentStatus(parentRef: parentRef, controllerName: controllerName(gateways[gatewayIdx].key), conditions: conditions))
        }
        if parents.isEmpty { return (attachments, nil) }
        return (attachments, RouteStatus(key: route.key, parents: parents))
    }

    struct ParentCandidates {
        var gateway: Int?
        var listeners: [Int]
        var controller: String
        var message: String
    }

    /// The parents to report on: parentRefs naming a Gateway (managed ones, or
    /// missing ones, which no other controller will report), or, for converted
    /// v1alpha1 routes, every managed Gateway with a listener that selects routes by label.
    func parentCandidates(_ route: RouteView) -> [(ParentReference, ParentCandidates)] {
        var result: [(ParentReference, ParentCandidates)] = []
        if route.selectedByLabels {
            for (i, gateway) in gateways.enumerated() {
                let listeners = gateway.listeners.indices.filter { gateway.listeners[$0].listener.allowedRoutes.routeSelector != nil }
                guard !listeners.isEmpty else { continue }
                let ref = ParentReference(namespace: gateway.key.namespace, name: gateway.key.name)
                result.append((ref, ParentCandidates(gateway: i, listeners: listeners, controller: controllerName(gateway.key), message: "")))
            }
            return result
        }
        for parentRef in route.parentRefs {
            if parentRef.group == gatewayGroup, parentRef.kind == "ListenerSet" {
                result.append((parentRef, listenerSetCandidates(parentRef, routeNamespace: route.meta.namespace)))
                continue
            }
            guard parentRef.group == gatewayGroup, parentRef.kind == "Gateway" else { continue }
            let key = ObjectKey(kind: "Gateway", namespace: parentRef.namespace ?? route.meta.namespace, name: parentRef.name)
            guard let gatewayIdx = gatewayIndex[key] else {
                if allGateways.contains(key) { continue } // another controller's Gateway
                result.append((parentRef, ParentCandidates(gateway: nil, listeners: [], controller: controllerName(key),
                                                           message: "Gateway \(key.namespace)/\(key.name) not found")))
                continue
            }
            // A parentRef to a Gateway reaches the Gateway's own listeners only;
            // ListenerSet listeners are reached through the ListenerSet (listenerset_types.go).
            let listeners = gateways[gatewayIdx].listeners.indices.filter { index in
                guard gateways[gatewayIdx].listeners[index].listenerSet == nil else { return false }
                let listener = gateways[gatewayIdx].listeners[index].listener
                if let section = parentRef.sectionName, section != listener.name { return false }
                if let port = parentRef.port, port != listener.port { return false }
                return true
            }
            result.append((parentRef, ParentCandidates(gateway: gatewayIdx, listeners: listeners, controller: controllerName(key), message: "")))
        }
        return result
    }

    /// The listeners of an attached ListenerSet, narrowed by sectionName and port.
    func listenerSetCandidates(_ parentRef: ParentReference, routeNamespace: String) -> ParentCandidates {
        let key = ObjectKey(kind: "ListenerSet", namespace: parentRef.namespace ?? routeNamespace, name: parentRef.name)
        for (gatewayIdx, gateway) in gateways.enumerated() {
            guard let set = gateway.listenerSets.first(where: { $0.key == key }) else { continue }
            let controller = controllerName(gateway.key)
            guard set.accepted else {
                return ParentCandidates(gateway: nil, listeners: [], controller: controller,
                                        message: "ListenerSet \(key.namespace)/\(key.name) is not accepted by its Gateway")
            }
            let listeners = gateway.listeners.indices.filter { index in
                let state = gateway.listeners[index]
                guard state.listenerSet == key else { return false }
                if let section = parentRef.sectionName, section != state.listener.name { return false }
                if let port = parentRef.port, port != state.listener.port { return false }
                return true
            }
            return ParentCandidates(gateway: gatewayIdx, listeners: listeners, controller: controller, message: "")
        }
        return ParentCandidates(gateway: nil, listeners: [], controller: controllerName(key),
                                message: "ListenerSet \(key.namespace)/\(key.name) not found or not attached to a Gateway")
    }

    struct ListenerOutcome {
        var attachments: [Attachment] = []
        var reason = "Accepted"
        var message = ""
    }

    /// Tries every candidate listener; the failure reason is the one that got furthest:
    /// NoMatchingParent (no listener by section/port) < NotAllowedByListeners < NoMatchingListenerHostname.
    mutating func attachToListeners(_ route: RouteView, parentRef: ParentReference, gatewayIdx: Int, listenerIndices: [Int]) -> ListenerOutcome {
        var outcome = ListenerOutcome()
        guard !listenerIndices.isEmpty else {
            outcome.reason = "NoMatchingParent"
            var what: [String] = []
            if let section = parentRef.sectionName { what.append("sectionName \(section)") }
            if let port = parentRef.port { what.append("port \(port)") }
            outcome.message = "no listener matches " + (what.isEmpty ? "the parentRef" : what.joined(separator: " and "))
            return outcome
        }
        var hostnameMismatch = false
        var notAllowed: [String] = []
        for index in listenerIndices {
            let state = gateways[gatewayIdx].listeners[index]
            guard state.accepted else { notAllowed.append("listener \(state.listener.name) is not accepted"); continue }
            guard state.supportedKinds.contains(route.groupKind) else {
                notAllowed.append("listener \(state.listener.name) does not allow kind \(route.kind)"); continue
            }
            // "Same" means the namespace of the listener's owner: the ListenerSet's for its listeners.
            let ownerNamespace = state.listenerSet?.namespace ?? state.gateway.namespace
            guard namespaceAllowed(state.listener.allowedRoutes, routeNamespace: route.meta.namespace, gatewayNamespace: ownerNamespace) else {
                notAllowed.append("listener \(state.listener.name) does not allow routes from namespace \(route.meta.namespace)"); continue
            }
            if let selector = state.listener.allowedRoutes.routeSelector, !selector.matches(route.meta.labels) {
                notAllowed.append("listener \(state.listener.name) selects routes by labels the route does not carry"); continue
            }
            let hostnames = route.usesHostnames ? Hostnames.effective(listener: state.hostname, route: route.hostnames) : ["*"]
            guard !hostnames.isEmpty else { hostnameMismatch = true; continue }
            outcome.attachments.append(Attachment(gatewayIndex: gatewayIdx, listenerIndex: index, hostnames: hostnames))
            gateways[gatewayIdx].listeners[index].attachedRoutes += 1
        }
        if outcome.attachments.isEmpty {
            if hostnameMismatch {
                outcome.reason = "NoMatchingListenerHostname"
                outcome.message = "no listener hostname intersects the route's hostnames"
            } else {
                outcome.reason = "NotAllowedByListeners"
                outcome.message = notAllowed.joined(separator: "; ")
            }
        }
        return outcome
    }

    /// `AllowedRoutes.namespaces.from` (gateway_types.go): Same, All, or a label selector on the route's namespace.
    func namespaceAllowed(_ allowed: AllowedRoutes, routeNamespace: String, gatewayNamespace: String) -> Bool {
        switch allowed.from {
        case .all: return true
        case .same: return routeNamespace == gatewayNamespace
        case .selector(let selector): return selector.matches(context.labels(ofNamespace: routeNamespace))
        }
    }

    struct Resolved {
        var reason = "ResolvedRefs"
        var message = "all references resolved"
        var ok: Bool { reason == "ResolvedRefs" }
        func condition(_ generation: Int) -> Condition {
            Condition("ResolvedRefs", ok, reason: reason, message: message, observedGeneration: generation)
        }
    }

    /// ResolvedRefs for the whole route: the first backend that does not resolve decides the
    /// reason, one condition having room for one; the message names every backend that does
    /// not, each with its reason (httproute_types.go, HTTPBackendRef: the message must explain
    /// which resource is missing, which kind is invalid, which reference is not allowed), so
    /// that they are not fixed one at a time.
    func resolvedRefs(_ route: RouteView) -> Resolved {
        var resolved = Resolved()
        var problems: [String] = []
        for (ruleIndex, backends) in route.backendsPerRule.enumerated() where route.invalidRules[ruleIndex] == nil {
            for ref in backends {
                guard let problem = BackendResolution.problem(ref, routeKind: route.kind, routeNamespace: route.meta.namespace, context: context) else { continue }
                if problems.isEmpty { resolved.reason = problem.reason }
                let text = problems.isEmpty ? problem.message : "\(problem.message) (\(problem.reason))"
                if !problems.contains(text) { problems.append(text) }
            }
        }
        if !problems.isEmpty { resolved.message = problems.joined(separator: "; ") }
        return resolved
    }
}

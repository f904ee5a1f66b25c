import GatewayAPI

/// A Gateway after validation: its listeners (its own first, then those of the
/// ListenerSets attached to it) and its status.
struct GatewayState {
    let gateway: Gateway
    var listeners: [ListenerState]
    var conditions: [Condition]
    var listenerSets: [ListenerSetState] = []
    /// `status.addresses`: the requested addresses the Gateway is served on.
    var addresses: [GatewayAddress] = []
    var key: ObjectKey { ObjectKey(kind: "Gateway", namespace: gateway.meta.namespace, name: gateway.meta.name) }
    var attachedListenerSets: Int { listenerSets.filter(\.accepted).count }
}

/// A ListenerSet that names this Gateway as its parent, and its status.
struct ListenerSetState {
    let key: ObjectKey
    let accepted: Bool
    let conditions: [Condition]
}

/// Gateway and listener validation (gateway_types.go: Listener conditions
/// Accepted, Programmed, ResolvedRefs, Conflicted; Gateway Accepted/Programmed).
enum GatewayPhase {
    /// `listenerSets`: the ListenerSets whose parentRef names this Gateway, oldest first.
    /// `addressPool`: the addresses the data plane has (nil: not known; see GatewayAddressCheck).
    static func validate(_ gateway: Gateway, listenerSets: [ListenerSet] = [], addressPool: AddressPool? = nil,
                         context: CompileContext) -> GatewayState {
        let generation = gateway.meta.generation
        let key = ObjectKey(kind: "Gateway", namespace: gateway.meta.namespace, name: gateway.meta.name)
        let allowedSets = listenerSets.filter { ListenerSetPhase.allowed($0, by: gateway, context: context) }
        var combined: [(listener: Listener, owner: ObjectKey?)] = gateway.listeners.map { ($0, nil) }
        for set in allowedSets {
            combined += set.listeners.map { ($0, ObjectKey(kind: "ListenerSet", namespace: set.meta.namespace, name: set.meta.name)) }
        }
        let conflicts = conflictReasons(combined.map(\.listener), owners: combined.map(\.owner))
        var listeners: [ListenerState] = []
        for (index, entry) in combined.enumerated() {
            var state = validate(entry.listener, conflict: conflicts[index], gateway: gateway, key: key,
                                 owner: entry.owner.flatMap { owner in allowedSets.first { $0.meta.name == owner.name && $0.meta.namespace == owner.namespace }?.meta },
                                 context: context)
            state.listenerSet = entry.owner
            listeners.append(state)
        }
        for (index, message) in overlappingTLS(listeners) {
            listeners[index].conditions.append(Condition("OverlappingTLSConfig", true, reason: "OverlappingHostnames", message: message,
                                                         observedGeneration: generation))
        }

        var conditions: [Condition] = []
        let addresses = GatewayAddressCheck(gateway, pool: addressPool)
        let own = listeners.filter { $0.listenerSet == nil }
        let allValid = own.allSatisfy { $0.accepted && $0.programmed }
        let anyAccepted = own.contains { $0.accepted }
        if let problem = parametersProblem(gateway, context: context) {
            conditions.append(Condition("Accepted", false, reason: "InvalidParameters", message: problem, observedGeneration: generation))
            conditions.append(Condition("Programmed", false, reason: "Invalid", message: problem, observedGeneration: generation))
            for index in listeners.indices { listeners[index].programmed = false }
        } else if let problem = addresses.unsupported {
            conditions.append(Condition("Accepted", false, reason: "UnsupportedAddress", message: problem, observedGeneration: generation))
            conditions.append(Condition("Programmed", false, reason: "AddressNotUsable", message: problem, observedGeneration: generation))
            for index in listeners.indices { listeners[index].programmed = false }
        } else if allValid {
            conditions.append(Condition("Accepted", true, reason: "Accepted", message: "Gateway is accepted", observedGeneration: generation))
            conditions.append(Condition("Programmed", true, reason: "Programmed", message: "Gateway is programmed", observedGeneration: generation))
        } else {
            // Some listeners are invalid: the Gateway is still accepted while at
            // least one listener is (reason ListenersNotValid either way).
            // gateway_types.go, Listeners: the message SHOULD say which are conflicted and which accepted.
            let invalid = own.filter { !($0.accepted && $0.programmed) }.map { state in
                "\(state.listener.name) (\(state.conditions.first { $0.status == "False" && $0.type != "Conflicted" }?.reason ?? "Invalid"))"
            }
            let valid = own.filter { $0.accepted }.map(\.listener.name)
            conditions.append(Condition("Accepted", anyAccepted, reason: "ListenersNotValid",
                                        message: "listeners not valid: " + invalid.joined(separator: ", ")
                                            + (valid.isEmpty ? "; none accepted" : "; accepted: " + valid.joined(separator: ", ")),
                                        observedGeneration: generation))
            let anyProgrammed = own.contains { $0.programmed }
            conditions.append(Condition("Programmed", anyProgrammed, reason: anyProgrammed ? "Programmed" : "Invalid",
                                        message: anyProgrammed ? "valid listeners are programmed" : "no listener is valid",
                                        observedGeneration: generation))
        }
        if let problem = addresses.unusable, conditions.contains(where: { $0.type == "Programmed" && $0.isTrue }) {
            conditions.removeAll { $0.type == "Programmed" }
            conditions.append(Condition("Programmed", false, reason: problem.reason, message: problem.message, observedGeneration: generation))
            for index in listeners.indices { listeners[index].programmed = false }
        }
        if let problem = backendClientCertificateProblem(gateway, context: context) {
            conditions.append(Condition("ResolvedRefs", false, reason: problem.reason, message: problem.message, observedGeneration: generation))
        } else {
            conditions.append(Condition("ResolvedRefs", true, reason: "ResolvedRefs", message: "all references resolved", observedGeneration: generation))
        }
        // gateway_types.go GatewayConditionInsecureFrontendValidationMode: True while a frontend
        // validation (default or per port) allows insecure fallback; absent otherwise.
        if gateway.frontendValidation.contains(where: { $0.mode == "AllowInsecureFallback" }) {
            conditions.append(Condition("InsecureFrontendValidationMode", true, reason: "ConfigurationChanged",
                                        message: "client certificate validation allows insecure fallback", observedGeneration: generation))
        }
        var state = GatewayState(gateway: gateway, listeners: listeners, conditions: conditions)
        state.addresses = addresses.bound
        let gatewayAccepted = conditions.first { $0.type == "Accepted" }?.isTrue ?? false
        state.listenerSets = listenerSets.map { ListenerSetPhase.status($0, gateway: state, gatewayAccepted: gatewayAccepted, context: context) }
        return state
    }

    /// `spec.tls.backend.clientCertificateRef` (gateway_types.go, GatewayBackendTLS):
    /// a core Secret with a usable TLS pair, same namespace or granted.
    static func backendClientCertificateProblem(_ gateway: Gateway, context: CompileContext) -> (reason: String, message: String)? {
        guard let ref = gateway.backendClientCertificateRef else { return nil }
        guard ref.group == "" || ref.group == "core", ref.kind == "Secret" else {
            return ("InvalidClientCertificateRef", "clientCertificateRef \(ref.group)/\(ref.kind) \(ref.name) is not a core Secret")
        }
        let namespace = ref.namespace ?? gateway.meta.namespace
        guard context.referencePermitted(fromGroup: gatewayGroup, fromKind: "Gateway", fromNamespace: gateway.meta.namespace,
                                         toGroup: "", toKind: "Secret", toNamespace: namespace, toName: ref.name) else {
            return ("RefNotPermitted", "Secret \(namespace)/\(ref.name) is in another namespace and no ReferenceGrant allows it")
        }
        guard let secret = context.secrets[ObjectKey(kind: "Secret", namespace: namespace, name: ref.name)] else {
            return ("InvalidClientCertificateRef", "Secret \(namespace)/\(ref.name) not found")
        }
        guard secret.hasValidTLSPair else {
            return ("InvalidClientCertificateRef", "Secret \(namespace)/\(ref.name) does not hold a valid tls.crt/tls.key pair")
        }
        return nil
    }

    /// Client-certificate validation of a TLS-terminating listener (gateway_types.go,
    /// FrontendTLSValidation): the per-port entry for its port, else the default;
    /// every CA reference must be a core ConfigMap or Secret holding `ca.crt`,
    /// same namespace or granted. A listener whose CA references all fail cannot
    /// validate clients: Accepted False, NoValidCACertificate.
    static func frontendValidationProblem(_ listener: Listener, gateway: Gateway, context: CompileContext) -> (reason: String, message: String)? {
        guard listener.protocol == .https || (listener.protocol == .tls && listener.tls?.mode == .terminate) else { return nil }
        guard let validation = gateway.frontendValidation.first(where: { $0.port == listener.port })
            ?? gateway.frontendValidation.first(where: { $0.port == nil }) else { return nil }
        var firstProblem: (reason: String, message: String)?
        var anyValid = false
        for ref in validation.caCertificateRefs {
            let problem = caReferenceProblem(ref, gateway: gateway, context: context)
            if problem == nil { anyValid = true } else if firstProblem == nil { firstProblem = problem }
        }
        return anyValid ? nil : firstProblem
    }

    static func caReferenceProblem(_ ref: BackendObjectReference, gateway: Gateway, context: CompileContext) -> (reason: String, message: String)? {
        guard ref.group == "" || ref.group == "core", ref.kind == "ConfigMap" || ref.kind == "Secret" else {
            return ("InvalidCACertificateKind", "caCertificateRef \(ref.group)/\(ref.kind) \(ref.name) is not a ConfigMap or Secret")
        }
        let namespace = ref.namespace ?? gateway.meta.namespace
        guard context.referencePermitted(fromGroup: gatewayGroup, fromKind: "Gateway", fromNamespace: gateway.meta.namespace,
                                         toGroup: "", toKind: ref.kind, toNamespace: namespace, toName: ref.name) else {
            return ("RefNotPermitted", "\(ref.kind) \(namespace)/\(ref.name) is in another namespace and no ReferenceGrant allows it")
        }
        let key = ObjectKey(kind: ref.kind, namespace: namespace, name: ref.name)
        let bundle = ref.kind == "ConfigMap" ? context.configMaps[key]?.data["ca.crt"] : context.secrets[key]?.data["ca.crt"]
        guard let bundle, bundle.contains("-----BEGIN CERTIFICATE-----") else {
            return ("InvalidCACertificateRef", "\(ref.kind) \(namespace)/\(ref.name) has no PEM certificate under ca.crt")
        }
        return nil
    }

    /// Listener distinctness (gateway_types.go, "Distinct Listeners"): on one port,
    /// listeners must share a protocol family, and within a family their
    /// hostnames must differ. Across owners (the Gateway first, then ListenerSets
    /// oldest first) the earlier listener wins and only the later one is marked
    /// (listenerset_types.go: Gateway listeners take precedence); within one owner
    /// both sides of a conflict are marked. Returns the reason per listener index.
    static func conflictReasons(_ listeners: [Listener], owners: [ObjectKey?]? = nil) -> [Int: String] {
        let owners = owners ?? Array(repeating: nil, count: listeners.count)
        var reasons: [Int: String] = [:]
        for j in listeners.indices {
            for i in 0..<j where owners[i] != owners[j] && reasons[i] == nil {
                if let reason = conflict(listeners[i], listeners[j]) {
                    reasons[j] = reason
                    break
                }
            }
        }
        let rejectedAcrossOwners = Set(reasons.keys)
        for j in listeners.indices where !rejectedAcrossOwners.contains(j) {
            for i in 0..<j where owners[i] == owners[j] && !rejectedAcrossOwners.contains(i) {
                guard let reason = conflict(listeners[i], listeners[j]) else { continue }
                if reasons[i] == nil { reasons[i] = reason }
                reasons[j] = reason
            }
        }
        return reasons
    }

    /// gateway_types.go, `OverlappingTLSConfig`: listeners that terminate TLS on one port
    /// with hostnames one of which covers the other (`*.example.com` and
    /// `foo.example.com`; no hostname covers every one) MUST all carry the condition,
    /// since a client that coalesces connections can reuse one listener's TLS session
    /// for the other's host. Only accepted listeners take part (a conflicted one serves
    /// nothing); certificates are not compared (that check is a MAY).
    static func overlappingTLS(_ listeners: [ListenerState]) -> [Int: String] {
        let terminating = listeners.indices.filter {
            listeners[$0].accepted && listeners[$0].listener.tls?.mode == .terminate
        }
        var overlaps: [Int: [String]] = [:]
        for (n, i) in terminating.enumerated() {
            for j in terminating[(n + 1)...] where listeners[i].listener.port == listeners[j].listener.port {
                let a = listeners[i].listener, b = listeners[j].listener
                let overlap: Bool
                switch (a.hostname?.lowercased(), b.hostname?.lowercased()) {
                case (nil, _), (_, nil): overlap = true
                case (let x?, let y?): overlap = Hostnames.intersect(listener: x, route: y) != nil
                }
                guard overlap else { continue }
                func describe(_ l: Listener) -> String { "\(l.name) (\(l.hostname ?? "any hostname"))" }
                overlaps[i, default: []].append("hostname overlaps listener \(describe(b)) on port \(b.port)")
                overlaps[j, default: []].append("hostname overlaps listener \(describe(a)) on port \(a.port)")
            }
        }
        return overlaps.mapValues { $0.joined(separator: "; ") }
    }

    /// Why two listeners cannot both serve, or nil when they can.
    static func conflict(_ a: Listener, _ b: Listener) -> String? {
        guard a.port == b.port else { return nil }
        if ProtocolKinds.family(a.protocol) != ProtocolKinds.family(b.protocol) {
            if case .udp = a.protocol { return nil }
            if case .udp = b.protocol { return nil }
            return "ProtocolConflict"
        }
        // Same port, same family, same hostname: no traffic flow can tell them apart.
        return (a.hostname?.lowercased() ?? "") == (b.hostname?.lowercased() ?? "") ? "HostnameConflict" : nil
    }

    /// `owner`: the ListenerSet's metadata for its listeners (references resolve from there), nil for the Gateway's own.
    static func validate(_ listener: Listener, conflict: String?, gateway: Gateway, key: ObjectKey, owner: ObjectMeta? = nil,
                         context: CompileContext) -> ListenerState {
        let generation = gateway.meta.generation
        var accepted = true
        var acceptedReason = "Accepted"
        var acceptedMessage = "listener is accepted"
        var resolved = true
        var resolvedReason = "ResolvedRefs"
        var resolvedMessage = "all references resolved"

        let defaults = ProtocolKinds.defaults(for: listener)
        var supported: [RouteGroupKind] = defaults
        if case .other(let raw) = listener.protocol {
            accepted = false
            acceptedReason = "UnsupportedProtocol"
            acceptedMessage = "protocol \(raw) is not supported"
        }
        if !listener.allowedRoutes.kinds.isEmpty {
            supported = []
            for kind in listener.allowedRoutes.kinds {
                if defaults.contains(kind) {
                    if !supported.contains(kind) { supported.append(kind) }
                } else {
                    resolved = false
                    resolvedReason = "InvalidRouteKinds"
                    resolvedMessage = "route kind \(kind.group)/\(kind.kind) is not supported on a \(listener.protocol) listener"
                }
            }
        }
        if accepted, let problem = tlsProblem(listener, gateway: gateway, owner: owner, context: context) {
            if problem.acceptedReason != nil {
                accepted = false
                acceptedReason = problem.acceptedReason!
                acceptedMessage = problem.message
            } else if resolved {
                resolved = false
                resolvedReason = problem.resolvedReason
                resolvedMessage = problem.message
            }
        }
        if accepted, let problem = frontendValidationProblem(listener, gateway: gateway, context: context) {
            accepted = false
            acceptedReason = "NoValidCACertificate"
            acceptedMessage = problem.message
            resolved = false
            resolvedReason = problem.reason
            resolvedMessage = problem.message
        }
        var conditions: [Condition] = []
        if let conflict {
            accepted = false
            conditions.append(Condition("Conflicted", true, reason: conflict, message: "listener conflicts with another listener on port \(listener.port)", observedGeneration: generation))
            acceptedReason = conflict
            acceptedMessage = "listener conflicts with another listener on port \(listener.port)"
        } else {
            conditions.append(Condition("Conflicted", false, reason: "NoConflicts", message: "no conflicts", observedGeneration: generation))
        }
        conditions.append(Condition("Accepted", accepted, reason: acceptedReason, message: acceptedMessage, observedGeneration: generation))
        conditions.append(Condition("ResolvedRefs", resolved, reason: resolvedReason, message: resolvedMessage, observedGeneration: generation))
        let programmed = accepted && resolved
        // A conflicted listener is not Programmed with the conflict's reason: what the
        // conformance suite's ListenerSet conflict tests expect, though gateway_types.go
        // lists only Invalid and Pending for Programmed=False.
        let programmedReason = programmed ? "Programmed" : (conflict ?? "Invalid")
        conditions.append(Condition("Programmed", programmed, reason: programmedReason,
                                    message: programmed ? "listener is programmed" : "listener is not valid", observedGeneration: generation))
        return ListenerState(gateway: key, gatewayGeneration: generation, listener: listener, supportedKinds: accepted ? supported : [],
                             accepted: accepted, programmed: programmed, conditions: conditions)
    }

    struct TLSProblem {
        var acceptedReason: String?
        var resolvedReason: String
        var message: String
    }

    /// TLS rules for HTTPS and TLS listeners (gateway_types.go, ListenerTLSConfig):
    /// Terminate needs at least one certificate ref, each a core Secret holding a
    /// usable `kubernetes.io/tls` pair, in the Gateway's namespace or granted by a
    /// ReferenceGrant; HTTPS cannot pass TLS through.
    static func tlsProblem(_ listener: Listener, gateway: Gateway, owner: ObjectMeta? = nil, context: CompileContext) -> TLSProblem? {
        let fromKind = owner == nil ? "Gateway" : "ListenerSet"
        let fromNamespace = owner?.namespace ?? gateway.meta.namespace
        switch listener.protocol {
        case .https, .tls: break
        default: return nil
        }
        let tls = listener.tls ?? ListenerTLS(mode: listener.protocol == .tls ? .passthrough : .terminate)
        if listener.protocol == .https, tls.mode == .passthrough {
            return TLSProblem(acceptedReason: "UnsupportedValue", resolvedReason: "", message: "HTTPS listeners cannot use TLS mode Passthrough")
        }
        guard tls.mode == .terminate else { return nil }
        if tls.certificateRefs.isEmpty {
            return TLSProblem(resolvedReason: "InvalidCertificateRef", message: "TLS mode Terminate needs at least one certificateRef")
        }
        for ref in tls.certificateRefs {
            guard (ref.group == "" || ref.group == "core"), ref.kind == "Secret" else {
                return TLSProblem(resolvedReason: "InvalidCertificateRef", message: "certificateRef \(ref.group)/\(ref.kind) \(ref.name) is not a core Secret")
            }
            let namespace = ref.namespace ?? fromNamespace
            guard context.referencePermitted(fromGroup: gatewayGroup, fromKind: fromKind, fromNamespace: fromNamespace,
                                             toGroup: "", toKind: "Secret", toNamespace: namespace, toName: ref.name) else {
                return TLSProblem(resolvedReason: "RefNotPermitted", message: "Secret \(namespace)/\(ref.name) is in another namespace and no ReferenceGrant allows it")
            }
            guard let secret = context.secrets[ObjectKey(kind: "Secret", namespace: namespace, name: ref.name)] else {
                return TLSProblem(resolvedReason: "InvalidCertificateRef", message: "Secret \(namespace)/\(ref.name) not found")
            }
            guard secret.hasValidTLSPair else {
                return TLSProblem(resolvedReason: "InvalidCertificateRef", message: "Secret \(namespace)/\(ref.name) does not hold a valid tls.crt/tls.key pair")
            }
        }
        return nil
    }

    /// `spec.infrastructure.parametersRef` must name an object that exists (only
    /// ConfigMaps are understood here).
    static func parametersProblem(_ gateway: Gateway, context: CompileContext) -> String? {
        guard let ref = gateway.infrastructure?.parametersRef else { return nil }
        if (ref.group == "" || ref.group == "core"), ref.kind == "ConfigMap",
           context.configMaps[ObjectKey(kind: "ConfigMap", namespace: gateway.meta.namespace, name: ref.name)] != nil {
            return nil
        }
        return "parametersRef \(ref.group)/\(ref.kind) \(ref.name) not found"
    }
}

import GatewayAPI

/// One BackendTLSPolicy after validation.
struct BackendTLSEvaluation {
    let policy: BackendTLSPolicy
    var key: ObjectKey { ObjectKey(kind: "BackendTLSPolicy", namespace: policy.meta.namespace, name: policy.meta.name) }
    /// Accepted condition (Accepted, NoValidCACertificate, Conflicted, Invalid).
    var accepted: Condition
    /// ResolvedRefs condition (ResolvedRefs, InvalidCACertificateRef, InvalidKind).
    var resolvedRefs: Condition
}

/// The backend TLS a backend gets: the winning policy for its Service port.
struct BackendTLSChoice: Sendable, Hashable {
    let policy: String
    let sni: String
    let subjectAltNames: [String]
    let caCertificateRefs: [String]
    /// False when the policy's CA references are all invalid: connections must fail (5xx).
    let valid: Bool
    let problem: String?
}

/// BackendTLSPolicy (backendtlspolicy_types.go): CA references resolve to a
/// ConfigMap (or Secret) in the policy's namespace holding `ca.crt`; when
/// several policies select the same Service and sectionName, the oldest (then
/// first by namespace/name) wins and the others are Conflicted. A policy
/// naming a port (sectionName) is more specific than one naming the whole Service.
struct BackendTLSPhase {
    let evaluations: [BackendTLSEvaluation]
    /// Winning policy per Service and sectionName ("" = the whole Service).
    let winners: [ObjectKey: [String: BackendTLSEvaluation]]

    init(context: CompileContext) {
        let policies = context.backendTLSPolicies.sorted { a, b in
            if a.meta.isOlder(than: b.meta) { return true }
            if b.meta.isOlder(than: a.meta) { return false }
            return (a.meta.namespace, a.meta.name) < (b.meta.namespace, b.meta.name)
        }
        var evaluations: [BackendTLSEvaluation] = []
        var winners: [ObjectKey: [String: BackendTLSEvaluation]] = [:]
        for policy in policies {
            var evaluation = Self.validate(policy, context: context)
            let targets = policy.targetRefs.filter { ($0.group == "" || $0.group == "core") && $0.kind == "Service" }
            let taken = targets.contains { target in
                winners[ObjectKey(kind: "Service", namespace: policy.meta.namespace, name: target.name)]?[target.sectionName ?? ""] != nil
            }
            if taken {
                evaluation.accepted = Condition("Accepted", false, reason: "Conflicted",
                                                message: "an older BackendTLSPolicy selects the same target and sectionName",
                                                observedGeneration: policy.meta.generation)
            } else {
                for target in targets {
                    winners[ObjectKey(kind: "Service", namespace: policy.meta.namespace, name: target.name), default: [:]][target.sectionName ?? ""] = evaluation
                }
            }
            evaluations.append(evaluation)
        }
        self.evaluations = evaluations
        self.winners = winners
    }

    static func validate(_ policy: BackendTLSPolicy, context: CompileContext) -> BackendTLSEvaluation {
        let generation = policy.meta.generation
        var resolved = Condition("ResolvedRefs", true, reason: "ResolvedRefs", message: "all CA certificate references resolved", observedGeneration: generation)
        var anyValid = false
        for ref in policy.caCertificateRefs {
            if let problem = caProblem(ref, namespace: policy.meta.namespace, context: context) {
                if resolved.isTrue { resolved = Condition("ResolvedRefs", false, reason: problem.reason, message: problem.message, observedGeneration: generation) }
            } else {
                anyValid = true
            }
        }
        var accepted = Condition("Accepted", true, reason: "Accepted", message: "policy is accepted", observedGeneration: generation)
        if let wellKnown = policy.wellKnownCACertificates, !wellKnown.isEmpty {
            if wellKnown != "System" {
                accepted = Condition("Accepted", false, reason: "Invalid", message: "wellKnownCACertificates \(wellKnown) is not supported", observedGeneration: generation)
            }
        } else if !anyValid {
            accepted = Condition("Accepted", false, reason: "NoValidCACertificate", message: "no CA certificate reference is valid", observedGeneration: generation)
        }
        return BackendTLSEvaluation(policy: policy, accepted: accepted, resolvedRefs: resolved)
    }

    static func caProblem(_ ref: LocalObjectReference, namespace: String, context: CompileContext) -> (reason: String, message: String)? {
        guard ref.group == "" || ref.group == "core", ref.kind == "ConfigMap" || ref.kind == "Secret" else {
            return ("InvalidKind", "caCertificateRef \(ref.group)/\(ref.kind) \(ref.name): kind is not supported (use a ConfigMap)")
        }
        let key = ObjectKey(kind: ref.kind, namespace: namespace, name: ref.name)
        let bundle = ref.kind == "ConfigMap" ? context.configMaps[key]?.data["ca.crt"] : context.secrets[key]?.data["ca.crt"]
        guard let bundle else { return ("InvalidCACertificateRef", "\(ref.kind) \(namespace)/\(ref.name) not found or has no ca.crt") }
        guard bundle.contains("-----BEGIN CERTIFICATE-----") else {
            return ("InvalidCACertificateRef", "\(ref.kind) \(namespace)/\(ref.name) ca.crt is not a PEM certificate")
        }
        return nil
    }

    /// The policy that applies to a Service port: one naming the port, else one naming the Service.
    func choice(for ref: BackendObjectReference, routeNamespace: String, context: CompileContext) -> BackendTLSChoice? {
        let namespace = ref.namespace ?? routeNamespace
        let serviceKey = ObjectKey(kind: "Service", namespace: namespace, name: ref.name)
        guard let byPort = winners[serviceKey] else { return nil }
        let portName = context.services[serviceKey]?.ports.first { $0.port == ref.port }?.name
        guard let winner = portName.flatMap({ byPort[$0] }) ?? byPort[""] else { return nil }
        return BackendTLSChoice(policy: "\(winner.policy.meta.namespace)/\(winner.policy.meta.name)", sni: winner.policy.hostname,
                                subjectAltNames: winner.policy.subjectAltNames.map(\.value),
                                caCertificateRefs: winner.policy.caCertificateRefs.map { "\($0.kind)/\($0.name)" },
                                valid: winner.accepted.isTrue, problem: winner.accepted.isTrue ? nil : winner.accepted.message)
    }

    /// Policy status: one ancestor entry per Gateway whose accepted routes send to a targeted Service.
    func status(routes: [CompiledRoute], routeStatus: [RouteStatus], controllerName: (ObjectKey) -> String) -> [PolicyStatus] {
        let statusByKey = Dictionary(uniqueKeysWithValues: routeStatus.map { ($0.key, $0) })
        var gatewaysByService: [ObjectKey: Set<ObjectKey>] = [:]
        for route in routes {
            guard let status = statusByKey[route.view.key] else { continue }
            let gateways = status.parents.filter { $0.conditions.first { $0.type == "Accepted" }?.isTrue ?? false }.map {
                ObjectKey(kind: "Gateway", namespace: $0.parentRef.namespace ?? route.view.meta.namespace, name: $0.parentRef.name)
            }
            for ref in route.view.backendsPerRule.joined() where ref.isService {
                gatewaysByService[ObjectKey(kind: "Service", namespace: ref.namespace ?? route.view.meta.namespace, name: ref.name), default: []]
                    .formUnion(gateways)
            }
        }
        return evaluations.map { evaluation in
            var ancestors = Set<ObjectKey>()
            for target in evaluation.policy.targetRefs {
                ancestors.formUnion(gatewaysByService[ObjectKey(kind: "Service", namespace: evaluation.policy.meta.namespace, name: target.name)] ?? [])
            }
            return PolicyStatus(key: evaluation.key, ancestors: ancestors.sorted().map { gateway in
                PolicyAncestorStatus(ancestorRef: ParentReference(namespace: gateway.namespace, name: gateway.name),
                                     controllerName: controllerName(gateway),
                                     conditions: [evaluation.accepted, evaluation.resolvedRefs])
            })
        }
    }
}

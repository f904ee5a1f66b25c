/// The reference types of shared_types.go and object_reference_types.go, with the
/// CRD defaults (`+kubebuilder:default`) applied and their patterns checked.
enum RefDecoder {
    static func group(_ f: Field, default value: String) -> String {
        f.exists ? (f.string(maxLength: 253, rule: .group) ?? value) : value
    }

    static func kind(_ f: Field, default value: String?) -> String? {
        guard f.exists else {
            if value == nil { f.require() }
            return value
        }
        return f.string(minLength: 1, maxLength: 63, rule: .kind) ?? value
    }

    static func name(_ f: Field) -> String {
        guard f.require() else { return "" }
        return f.string(minLength: 1, maxLength: 253) ?? ""
    }

    static func namespace(_ f: Field) -> String? {
        f.exists ? f.string(minLength: 1, maxLength: 63, rule: .dnsLabel) : nil
    }

    static func port(_ f: Field) -> Int? { f.int(in: 1...65535) }

    /// `ParentReference`: group/kind default to the Gateway kind.
    static func parentRef(_ f: Field) -> ParentReference {
        ParentReference(
            group: group(f["group"], default: gatewayGroup),
            kind: kind(f["kind"], default: "Gateway") ?? "Gateway",
            namespace: namespace(f["namespace"]),
            name: name(f["name"]),
            sectionName: f["sectionName"].exists ? f["sectionName"].string(minLength: 1, maxLength: 253, rule: .preciseHostname) : nil,
            port: port(f["port"]))
    }

    /// `BackendObjectReference`, with its CEL rule "Must have port for Service reference".
    static func backendObjectRef(_ f: Field) -> BackendObjectReference {
        let ref = BackendObjectReference(
            group: group(f["group"], default: ""),
            kind: kind(f["kind"], default: "Service") ?? "Service",
            name: name(f["name"]),
            namespace: namespace(f["namespace"]),
            port: port(f["port"]))
        // object_reference_types.go: BackendObjectReference CEL.
        if ref.group.isEmpty, ref.kind == "Service", !f["port"].exists {
            f.error("Must have port for Service reference")
        }
        return ref
    }

    /// `BackendRef`/`HTTPBackendRef` weight: 0...1,000,000, default 1.
    static func weight(_ f: Field) -> Int { f.int(in: 0...1_000_000) ?? 1 }

    static func secretRef(_ f: Field) -> SecretObjectReference {
        SecretObjectReference(
            group: group(f["group"], default: ""),
            kind: kind(f["kind"], default: "Secret") ?? "Secret",
            name: name(f["name"]),
            namespace: namespace(f["namespace"]))
    }

    /// `LocalObjectReference`: group, kind and name are all required.
    static func localRef(_ f: Field) -> LocalObjectReference {
        f["group"].require()
        return LocalObjectReference(
            group: f["group"].exists ? group(f["group"], default: "") : "",
            kind: kind(f["kind"], default: nil) ?? "",
            name: name(f["name"]))
    }

    /// metav1.LabelSelector.
    static func labelSelector(_ f: Field) -> LabelSelector {
        var expressions: [LabelSelector.Requirement] = []
        for e in f["matchExpressions"].items {
            let key = e["key"].require() ? (e["key"].string ?? "") : ""
            guard e["operator"].require(), let op = e["operator"].oneOf(["In", "NotIn", "Exists", "DoesNotExist"]).flatMap(LabelSelector.Requirement.Operator.init(rawValue:)) else { continue }
            let values = e["values"].strings
            if (op == .in || op == .notIn), values.isEmpty {
                e["values"].error("Required value: must be specified when `operator` is 'In' or 'NotIn'")
            }
            if (op == .exists || op == .doesNotExist), !values.isEmpty {
                e["values"].error("Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            }
            expressions.append(.init(key: key, op: op, values: values))
        }
        return LabelSelector(matchLabels: f["matchLabels"].stringMap, matchExpressions: expressions)
    }
}

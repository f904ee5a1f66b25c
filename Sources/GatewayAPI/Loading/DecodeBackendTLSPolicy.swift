/// BackendTLSPolicy (backendtlspolicy_types.go): 1...16 targetRefs, a required
/// `validation.hostname`, and exactly one of `caCertificateRefs` (1...8) or
/// `wellKnownCACertificates`.
enum BackendTLSPolicyDecoder {
    static func decode(_ o: Field, loadOrder: Int) -> BackendTLSPolicy {
        let meta = MetaDecoder.decode(o, kind: "BackendTLSPolicy", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        var seen = Set<String>()
        let targets = spec["targetRefs"].items(min: 1, max: 16).map { t -> BackendTLSPolicy.TargetRef in
            t["name"].require()
            let ref = BackendTLSPolicy.TargetRef(group: RefDecoder.group(t["group"], default: ""),
                                                 kind: RefDecoder.kind(t["kind"], default: "Service") ?? "Service",
                                                 name: t["name"].string(minLength: 1, maxLength: 253) ?? "",
                                                 sectionName: t["sectionName"].exists ? t["sectionName"].string(minLength: 1, maxLength: 253) : nil)
            if !seen.insert("\(ref.group)/\(ref.kind)/\(ref.name)/\(ref.sectionName ?? "")").inserted {
                t.error("sectionName must be unique when targetRefs includes 2 or more references to the same target")
            }
            return ref
        }
        let validation = spec["validation"]
        validation["hostname"].require()
        let hostname = validation["hostname"].string(minLength: 1, maxLength: 253, rule: .preciseHostname) ?? ""
        let caRefs = validation["caCertificateRefs"].items(max: 8).map { r -> LocalObjectReference in
            r["name"].require()
            r["kind"].require()
            return LocalObjectReference(group: RefDecoder.group(r["group"], default: ""),
                                        kind: RefDecoder.kind(r["kind"], default: nil) ?? "",
                                        name: r["name"].string(minLength: 1, maxLength: 253) ?? "")
        }
        let wellKnown = validation["wellKnownCACertificates"].exists ? validation["wellKnownCACertificates"].string : nil
        if caRefs.isEmpty, (wellKnown ?? "").isEmpty {
            validation.error("must specify either CACertificateRefs or WellKnownCACertificates")
        } else if !caRefs.isEmpty, !(wellKnown ?? "").isEmpty {
            validation.error("must not contain both CACertificateRefs and WellKnownCACertificates")
        }
        let sans = validation["subjectAltNames"].items(max: 5).map { s -> BackendTLSPolicy.SubjectAltName in
            let type = s["type"].oneOf(["Hostname", "URI"]) ?? ""
            let value = type == "URI" ? (s["uri"].string ?? "") : (s["hostname"].string ?? "")
            if value.isEmpty { s.error("SubjectAltName \(type) requires the \(type == "URI" ? "uri" : "hostname") field") }
            return BackendTLSPolicy.SubjectAltName(type: type, value: value)
        }
        return BackendTLSPolicy(meta: meta, targetRefs: targets, caCertificateRefs: caRefs, wellKnownCACertificates: wellKnown,
                                hostname: hostname, subjectAltNames: sans)
    }
}

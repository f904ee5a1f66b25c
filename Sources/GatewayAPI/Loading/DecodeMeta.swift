/// `metadata`: name, namespace (defaulted to "default" for namespaced kinds, as the
/// API server does for `kubectl apply` without `-n`), labels, annotations,
/// generation (1 when absent) and creationTimestamp (RFC 3339).
enum MetaDecoder {
    static func decode(_ object: Field, kind: String, namespaced: Bool, nameRule: StringRule, nameMaxLength: Int = 253, loadOrder: Int) -> ObjectMeta {
        let ctx = object.ctx
        let m = object["metadata"]
        let name = m["name"].string ?? ""
        var namespace = namespaced ? (m["namespace"].string ?? "") : ""
        if namespaced, namespace.isEmpty { namespace = ResourceKinds.defaultNamespace }
        ctx.key = ObjectKey(kind: kind, namespace: namespace, name: name)

        if !m["name"].exists {
            m["name"].error("Required value: name or generateName is required")
        } else if !name.isEmpty {
            _ = m["name"].string(minLength: 1, maxLength: nameMaxLength, rule: nameRule)
        }
        if namespaced, m["namespace"].exists { _ = m["namespace"].string(minLength: 1, maxLength: 63, rule: .dnsLabel) }

        let labels = m["labels"].stringMap
        for (k, _) in m["labels"].entries {
            if !StringRule.labelKey.check(k) { m["labels"][k].error("Invalid value: \"\(k)\": name part \(StringRule.labelKey.message)") }
            else if let v = labels[k], !StringRule.labelValue.check(v) { m["labels"][k].error("Invalid value: \"\(v)\": a label value \(StringRule.labelValue.message)") }
        }
        let annotations = m["annotations"].stringMap
        let generation = max(1, m["generation"].int ?? 1)
        var created: Double? = nil
        if let ts = m["creationTimestamp"].string {
            created = RFC3339.seconds(ts)
            if created == nil { m["creationTimestamp"].error("Invalid value: \"\(ts)\": must be an RFC 3339 timestamp such as 2024-01-02T03:04:05Z") }
        }
        return ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations,
                          generation: generation, creationTimestamp: created, loadOrder: loadOrder,
                          source: SourceLocation(file: ctx.file, line: ctx.objectLine))
    }
}

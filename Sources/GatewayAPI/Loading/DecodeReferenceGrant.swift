/// ReferenceGrant (referencegrant_types.go): 1...16 `from` (group, kind, namespace
/// all required) and 1...16 `to` (group and kind required, name optional).
enum ReferenceGrantDecoder {
    static func decode(_ o: Field, loadOrder: Int) -> ReferenceGrant {
        let meta = MetaDecoder.decode(o, kind: "ReferenceGrant", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        let from = spec["from"].items(min: 1, max: 16).map { f -> ReferenceGrant.From in
            f["group"].require()
            f["namespace"].require()
            return ReferenceGrant.From(group: RefDecoder.group(f["group"], default: ""), kind: RefDecoder.kind(f["kind"], default: nil) ?? "",
                                       namespace: RefDecoder.namespace(f["namespace"]) ?? "")
        }
        let to = spec["to"].items(min: 1, max: 16).map { t -> ReferenceGrant.To in
            t["group"].require()
            return ReferenceGrant.To(group: RefDecoder.group(t["group"], default: ""), kind: RefDecoder.kind(t["kind"], default: nil) ?? "",
                                     name: t["name"].exists ? t["name"].string(minLength: 1, maxLength: 253) : nil)
        }
        return ReferenceGrant(meta: meta, from: from, to: to)
    }
}

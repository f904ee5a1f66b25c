/// TLSRoute, TCPRoute and UDPRoute. v1 (tlsroute_types.go etc.) allows exactly one
/// rule and requires TLSRoute hostnames (no IPs); v1alpha2/v1alpha3 allow 1...16
/// rules. Every rule needs 1...16 backendRefs.
enum L4RouteDecoder {
    static func decode(_ o: Field, kind: L4RouteKind, version: String, loadOrder: Int) -> L4Route {
        let meta = MetaDecoder.decode(o, kind: kind.rawValue, namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        let isV1 = version == "v1"
        let parentRefs = RouteCommon.parentRefs(spec["parentRefs"])
        var hostnames: [String] = []
        if kind == .tls {
            hostnames = RouteCommon.hostnames(spec["hostnames"], max: 1024, min: isV1 ? 1 : 0, forbidIP: isV1)
        }
        let ruleFields = spec["rules"].items(min: 1, max: isV1 ? 1 : 16)
        let names = RouteCommon.ruleNames(ruleFields, list: spec["rules"])
        let rules = zip(ruleFields, names).map { r, name in
            return L4RouteRule(name: name, backendRefs: r["backendRefs"].items(min: 1, max: 16).map { b in
                HTTPBackendRef(ref: RefDecoder.backendObjectRef(b), weight: RefDecoder.weight(b["weight"]))
            })
        }
        return L4Route(kind: kind, meta: meta, parentRefs: parentRefs, hostnames: hostnames, rules: rules)
    }
}

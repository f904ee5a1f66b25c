/// GRPCRoute (grpcroute_types.go). Unlike HTTPRoute, a rule without `matches`
/// stays empty: it matches every gRPC request.
enum GRPCRouteDecoder {
    static func decode(_ o: Field, loadOrder: Int) -> GRPCRoute {
        let meta = MetaDecoder.decode(o, kind: "GRPCRoute", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        let parentRefs = RouteCommon.parentRefs(spec["parentRefs"])
        let hostnames = RouteCommon.hostnames(spec["hostnames"], max: 16)
        let ruleFields = spec["rules"].items(max: 16)
        let names = RouteCommon.ruleNames(ruleFields, list: spec["rules"])
        RouteCommon.checkMatchTotal(ruleFields, list: spec["rules"])
        let rules = zip(ruleFields, names).map { r, name in
            GRPCRouteRule(name: name, matches: r["matches"].items(max: 64).map(match),
                          filters: FilterDecoder.list(r["filters"], grpc: true),
                          backendRefs: r["backendRefs"].items(max: 16).map { b in
                              HTTPBackendRef(ref: RefDecoder.backendObjectRef(b), weight: RefDecoder.weight(b["weight"]),
                                             filters: FilterDecoder.list(b["filters"], grpc: true))
                          },
                          sessionPersistence: RouteCommon.sessionPersistence(r["sessionPersistence"]))
        }
        return GRPCRoute(meta: meta, parentRefs: parentRefs, hostnames: hostnames, rules: rules)
    }

    static func match(_ m: Field) -> GRPCRouteMatch {
        var method: GRPCMethodMatch? = nil
        let f = m["method"]
        if f.exists {
            let type = f["type"].exists ? (f["type"].oneOf(["Exact", "RegularExpression"]).flatMap(ValueMatchType.init(rawValue:)) ?? .exact) : .exact
            let service = f["service"].string(maxLength: 1024)
            let name = f["method"].string(maxLength: 1024)
            // grpcroute_types.go GRPCMethodMatch CEL (type is always set after defaulting).
            if service == nil, name == nil { f.error("One or both of 'service' or 'method' must be specified") }
            if type == .exact, let service, !StringRule.grpcService.check(service) { f["service"].error(StringRule.grpcService.message) }
            if type == .exact, let name, !StringRule.grpcMethod.check(name) { f["method"].error(StringRule.grpcMethod.message) }
            method = GRPCMethodMatch(type: type, service: service, method: name)
        }
        var names = HeaderNameList()
        let headers = m["headers"].items(max: 16).compactMap { h -> HTTPHeaderMatch? in
            let (type, name, value) = HTTPRouteDecoder.valueMatch(h, maxValue: 4096)
            return names.admit(name, at: h["name"]) ? HTTPHeaderMatch(type: type, name: name, value: value) : nil
        }
        return GRPCRouteMatch(method: method, headers: headers)
    }
}

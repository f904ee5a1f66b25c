/// HTTPRoute (httproute_types.go; v1beta1 is the same shape), with the CRD
/// defaults: a missing `rules` is one rule matching `PathPrefix /`, a rule
/// without `matches` gets that same match, a match without a path gets it too.
enum HTTPRouteDecoder {
    static func decode(_ o: Field, loadOrder: Int) -> HTTPRoute {
        let meta = MetaDecoder.decode(o, kind: "HTTPRoute", namespaced: true, nameRule: .preciseHostname, loadOrder: loadOrder)
        let spec = o["spec"]
        let parentRefs = RouteCommon.parentRefs(spec["parentRefs"])
        let hostnames = RouteCommon.hostnames(spec["hostnames"], max: 16)
        guard spec["rules"].exists else {
            return HTTPRoute(meta: meta, parentRefs: parentRefs, hostnames: hostnames, rules: [HTTPRouteRule()])
        }
        let ruleFields = spec["rules"].items(min: 1, max: 16)
        let names = RouteCommon.ruleNames(ruleFields, list: spec["rules"])
        RouteCommon.checkMatchTotal(ruleFields, list: spec["rules"])
        let rules = zip(ruleFields, names).map { rule($0, name: $1) }
        return HTTPRoute(meta: meta, parentRefs: parentRefs, hostnames: hostnames, rules: rules)
    }

    static func rule(_ r: Field, name: String?) -> HTTPRouteRule {
        let matchFields = r["matches"].items(max: 64)
        var matches = matchFields.map(match)
        if !r["matches"].exists { matches = [HTTPRouteMatch()] }
        let filters = FilterDecoder.list(r["filters"], grpc: false)
        let backendFields = r["backendRefs"].items(max: 16)
        let backends = backendFields.map { b in
            HTTPBackendRef(ref: RefDecoder.backendObjectRef(b), weight: RefDecoder.weight(b["weight"]),
                           filters: FilterDecoder.list(b["filters"], grpc: false))
        }
        // httproute_types.go HTTPRouteRule CEL.
        if !backends.isEmpty, filters.contains(where: { if case .requestRedirect = $0 { true } else { false } }) {
            r.error("RequestRedirect filter must not be used together with backendRefs")
        }
        let singlePrefix = matches.count == 1 && matches[0].path.type == .pathPrefix
        func usesPrefixReplace(_ list: [HTTPRouteFilter], redirect: Bool) -> Bool {
            list.contains {
                switch $0 {
                case .requestRedirect(let rr) where redirect: if case .replacePrefixMatch = rr.path { return true }
                case .urlRewrite(let rw) where !redirect: if case .replacePrefixMatch = rw.path { return true }
                default: break
                }
                return false
            }
        }
        if !singlePrefix {
            if usesPrefixReplace(filters, redirect: true) { r.error("When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified") }
            if usesPrefixReplace(filters, redirect: false) { r.error("When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified") }
            if backends.contains(where: { usesPrefixReplace($0.filters, redirect: true) }) {
                r.error("Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
            }
            if backends.contains(where: { usesPrefixReplace($0.filters, redirect: false) }) {
                r.error("Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
            }
        }
        return HTTPRouteRule(name: name, matches: matches, filters: filters, backendRefs: backends,
                             timeouts: timeouts(r["timeouts"]), retry: retry(r["retry"]),
                             sessionPersistence: RouteCommon.sessionPersistence(r["sessionPersistence"]))
    }

    static func match(_ m: Field) -> HTTPRouteMatch {
        let path = PathRules.pathMatch(m["path"])
        var headerNames = HeaderNameList()
        let headers = m["headers"].items(max: 16).compactMap { h -> HTTPHeaderMatch? in
            let (type, name, value) = valueMatch(h, maxValue: 4096)
            return headerNames.admit(name, at: h["name"]) ? HTTPHeaderMatch(type: type, name: name, value: value) : nil
        }
        var queryNames = Set<String>()
        let query = m["queryParams"].items(max: 16).map { q -> HTTPQueryParamMatch in
            let (type, name, value) = valueMatch(q, maxValue: 1024)
            if !name.isEmpty, !queryNames.insert(name).inserted { q["name"].error("Duplicate value: \"\(name)\"") }
            return HTTPQueryParamMatch(type: type, name: name, value: value)
        }
        let method = m["method"].exists ? m["method"].oneOf(HTTPRouteMatch.methods) : nil
        return HTTPRouteMatch(path: path, headers: headers, queryParams: query, method: method)
    }

    /// Header/query-param match: type Exact (default) or RegularExpression, a header-token name, a value.
    static func valueMatch(_ f: Field, maxValue: Int) -> (ValueMatchType, String, String) {
        f["name"].require()
        f["value"].require()
        let type = f["type"].exists ? (f["type"].oneOf(["Exact", "RegularExpression"]).flatMap(ValueMatchType.init(rawValue:)) ?? .exact) : .exact
        let name = f["name"].string(minLength: 1, maxLength: 256, rule: .headerName) ?? ""
        let value = f["value"].string(minLength: 1, maxLength: maxValue) ?? ""
        return (type, name, value)
    }

    /// `HTTPRouteTimeouts`: backendRequest may not exceed a non-zero request timeout (CEL).
    static func timeouts(_ f: Field) -> HTTPRouteTimeouts? {
        guard f.exists else { return nil }
        let request = RouteCommon.duration(f["request"])
        let backend = RouteCommon.duration(f["backendRequest"])
        if let request, let backend, request != 0, backend > request {
            f.error("backendRequest timeout cannot be longer than request timeout")
        }
        return HTTPRouteTimeouts(request: request, backendRequest: backend)
    }

    /// `HTTPRouteRetry`: codes 400...599, attempts >= 1, backoff a Duration.
    static func retry(_ f: Field) -> HTTPRouteRetry? {
        guard f.exists else { return nil }
        let codes = f["codes"].items.compactMap { $0.int(in: 400...599) }
        return HTTPRouteRetry(codes: codes, attempts: f["attempts"].int(in: 1...Int(Int32.max)), backoff: RouteCommon.duration(f["backoff"]))
    }
}

/// httproute_types.go `HTTPPathMatch` and its CEL rules.
enum PathRules {
    static func pathMatch(_ p: Field) -> HTTPPathMatch {
        guard p.exists else { return HTTPPathMatch() }
        let type = p["type"].exists ? (p["type"].oneOf(["Exact", "PathPrefix", "RegularExpression"]).flatMap(PathMatchType.init(rawValue:)) ?? .pathPrefix) : .pathPrefix
        let value = p["value"].exists ? (p["value"].string(maxLength: 1024) ?? "/") : "/"
        if type != .regularExpression {
            for problem in problems(value) { p["value"].error(problem) }
        }
        return HTTPPathMatch(type: type, value: value)
    }

    /// The rule texts of the CEL rules broken by an Exact/PathPrefix value.
    static func problems(_ v: String) -> [String] {
        var out: [String] = []
        let suffix = " when type one of ['Exact', 'PathPrefix']"
        if !v.hasPrefix("/") { out.append("must start with \"/\": value must be an absolute path\(suffix)") }
        for bad in ["//", "/./", "/../", "%2f", "%2F", "#"] where v.contains(bad) { out.append("must not contain '\(bad)'\(suffix)") }
        if v.hasSuffix("/..") { out.append("must not end with '/..'\(suffix)") }
        else if v.hasSuffix("/.") { out.append("must not end with '/.'\(suffix)") }
        if !v.isEmpty, !StringRule.pathCharacters.check(v) { out.append(StringRule.pathCharacters.message + " for types ['Exact', 'PathPrefix']") }
        return out
    }
}

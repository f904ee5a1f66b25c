/// `HTTPRouteFilter` and `GRPCRouteFilter` (httproute_types.go, grpcroute_types.go):
/// each filter type must carry exactly its own field (the CEL pairs on
/// HTTPRouteFilter), plus the per-list CEL rules (no repeats, not both
/// RequestRedirect and URLRewrite).
enum FilterDecoder {
    /// Filter type -> the field that holds its configuration.
    static let fieldOfType: [(type: String, field: String)] = [
        ("RequestHeaderModifier", "requestHeaderModifier"), ("ResponseHeaderModifier", "responseHeaderModifier"),
        ("RequestMirror", "requestMirror"), ("RequestRedirect", "requestRedirect"), ("URLRewrite", "urlRewrite"),
        ("CORS", "cors"), ("ExternalAuth", "externalAuth"), ("ExtensionRef", "extensionRef"),
    ]
    static let httpTypes = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS", "ExternalAuth"]
    static let grpcTypes = ["ResponseHeaderModifier", "RequestHeaderModifier", "RequestMirror", "ExtensionRef"]

    /// A filter list with its MaxItems and CEL rules.
    static func list(_ f: Field, grpc: Bool) -> [HTTPRouteFilter] {
        let items = f.items(max: 16)
        let types = items.map { $0["type"].string ?? "" }
        let repeatable = grpc ? ["RequestHeaderModifier", "ResponseHeaderModifier"] : ["CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"]
        for t in repeatable where types.filter({ $0 == t }).count > 1 {
            f.error("\(t) filter cannot be repeated")
        }
        if !grpc, types.contains("RequestRedirect"), types.contains("URLRewrite") {
            f.error("May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both")
        }
        return items.compactMap { filter($0, grpc: grpc) }
    }

    static func filter(_ f: Field, grpc: Bool) -> HTTPRouteFilter? {
        f["type"].require()
        let type = f["type"].oneOf(grpc ? grpcTypes : httpTypes)
        var ok = type != nil
        for (t, field) in fieldOfType where (grpc ? grpcTypes : httpTypes).contains(t) {
            let present = f[field].exists
            if present, let type, type != t { f.error("filter.\(field) must be nil if the filter.type is not \(t)"); ok = false }
            if !present, type == t { f.error("filter.\(field) must be specified for \(t) filter.type"); ok = false }
        }
        guard ok, let type else { return nil }
        switch type {
        case "RequestHeaderModifier": return .requestHeaderModifier(headerModifier(f["requestHeaderModifier"]))
        case "ResponseHeaderModifier": return .responseHeaderModifier(headerModifier(f["responseHeaderModifier"]))
        case "RequestMirror": return .requestMirror(mirror(f["requestMirror"]))
        case "RequestRedirect": return .requestRedirect(redirect(f["requestRedirect"]))
        case "URLRewrite": return .urlRewrite(URLRewrite(hostname: preciseHostname(f["urlRewrite"]["hostname"]), path: pathModifier(f["urlRewrite"]["path"])))
        case "CORS": return .cors(cors(f["cors"]))
        case "ExternalAuth": return .externalAuth(externalAuth(f["externalAuth"]))
        default: return .extensionRef(RefDecoder.localRef(f["extensionRef"]))
        }
    }

    static func preciseHostname(_ f: Field) -> String? {
        f.exists ? f.string(minLength: 1, maxLength: 253, rule: .preciseHostname) : nil
    }

    /// `HTTPHeaderFilter`: set/add are maps keyed by name (listType=map), remove is a
    /// set; names that repeat an earlier one but for case are left out (`HeaderNameList`).
    static func headerModifier(_ f: Field) -> HeaderModifier {
        func headers(_ list: Field) -> [HTTPHeader] {
            var names = HeaderNameList()
            return list.items(max: 16).compactMap { h in
                h["name"].require()
                h["value"].require()
                let name = h["name"].string(minLength: 1, maxLength: 256, rule: .headerName) ?? ""
                let value = h["value"].string(minLength: 1, maxLength: 4096) ?? ""
                return names.admit(name, at: h["name"]) ? HTTPHeader(name: name, value: value) : nil
            }
        }
        var removed = HeaderNameList()
        let remove = f["remove"].items(max: 16).compactMap { r -> String? in
            guard let s = r.string, removed.admit(s, at: r) else { return nil }
            return s
        }
        return HeaderModifier(set: headers(f["set"]), add: headers(f["add"]), remove: remove)
    }

    /// `HTTPPathModifier` and its four CEL rules tying `type` to the field it names.
    static func pathModifier(_ f: Field) -> PathModifier? {
        guard f.exists else { return nil }
        f["type"].require()
        let type = f["type"].oneOf(["ReplaceFullPath", "ReplacePrefixMatch"])
        let full = f["replaceFullPath"].string(maxLength: 1024)
        let prefix = f["replacePrefixMatch"].string(maxLength: 1024)
        if type == "ReplaceFullPath", !f["replaceFullPath"].exists { f.error("replaceFullPath must be specified when type is set to 'ReplaceFullPath'") }
        if f["replaceFullPath"].exists, type != "ReplaceFullPath" { f.error("type must be 'ReplaceFullPath' when replaceFullPath is set") }
        if type == "ReplacePrefixMatch", !f["replacePrefixMatch"].exists { f.error("replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'") }
        if f["replacePrefixMatch"].exists, type != "ReplacePrefixMatch" { f.error("type must be 'ReplacePrefixMatch' when replacePrefixMatch is set") }
        switch type {
        case "ReplaceFullPath": return full.map(PathModifier.replaceFullPath)
        case "ReplacePrefixMatch": return prefix.map(PathModifier.replacePrefixMatch)
        default: return nil
        }
    }

    /// `HTTPRequestRedirectFilter`: statusCode defaults to 302.
    static func redirect(_ f: Field) -> RequestRedirect {
        let scheme = f["scheme"].exists ? f["scheme"].oneOf(["http", "https"]) : nil
        var status = 302
        if let code = f["statusCode"].int {
            if [301, 302, 303, 307, 308].contains(code) { status = code }
            else { f["statusCode"].error("Unsupported value: \(code): supported values: \"301\", \"302\", \"303\", \"307\", \"308\"") }
        }
        return RequestRedirect(scheme: scheme, hostname: preciseHostname(f["hostname"]), path: pathModifier(f["path"]),
                               port: RefDecoder.port(f["port"]), statusCode: status)
    }

    /// `HTTPRequestMirrorFilter`: percent or fraction, not both (CEL).
    static func mirror(_ f: Field) -> RequestMirror {
        f["backendRef"].require()
        let ref = RefDecoder.backendObjectRef(f["backendRef"])
        let percent = f["percent"].int(in: 0...100)
        var fraction: (Int, Int)? = nil
        let fr = f["fraction"]
        if fr.exists {
            fr["numerator"].require()
            let n = fr["numerator"].int(in: 0...Int(Int32.max)) ?? 0
            let d = fr["denominator"].exists ? (fr["denominator"].int(in: 1...Int(Int32.max)) ?? 100) : 100
            if n > d { fr.error("numerator must be less than or equal to denominator") }
            fraction = (n, d)
        }
        if f["percent"].exists, fr.exists { f.error("Only one of percent or fraction may be specified in HTTPRequestMirrorFilter") }
        return RequestMirror(backendRef: ref, percent: percent, fraction: fraction.map { (numerator: $0.0, denominator: $0.1) })
    }

    /// `HTTPCORSFilter`: `*` must stand alone in each list; maxAge >= 1, default 5.
    static func cors(_ f: Field) -> CORSPolicy {
        func wildcardAlone(_ list: Field, _ values: [String], _ message: String) {
            if values.contains("*"), values.count > 1 { list.error(message) }
        }
        let origins = f["allowOrigins"].items(max: 64).compactMap { $0.string(minLength: 1, maxLength: 253, rule: .corsOrigin) }
        wildcardAlone(f["allowOrigins"], origins, "AllowOrigins cannot contain '*' alongside other origins")
        let methods = f["allowMethods"].items(max: 9).compactMap { $0.oneOf(HTTPRouteMatch.methods + ["*"]) }
        wildcardAlone(f["allowMethods"], methods, "AllowMethods cannot contain '*' alongside other methods")
        let allowHeaders = f["allowHeaders"].items(max: 64).compactMap { $0.string(minLength: 1, maxLength: 256, rule: .headerName) }
        wildcardAlone(f["allowHeaders"], allowHeaders, "AllowHeaders cannot contain '*' alongside other methods")
        let expose = f["exposeHeaders"].items(max: 64).compactMap { $0.string(minLength: 1, maxLength: 256, rule: .headerName) }
        let maxAge = f["maxAge"].exists ? (f["maxAge"].int(in: 1...Int(Int32.max)) ?? 5) : 5
        return CORSPolicy(allowOrigins: origins, allowCredentials: f["allowCredentials"].bool ?? false, allowMethods: methods,
                          allowHeaders: allowHeaders, exposeHeaders: expose, maxAge: maxAge)
    }

    /// `HTTPExternalAuthFilter`: protocol and its matching config block (CEL).
    static func externalAuth(_ f: Field) -> BackendObjectReference {
        let proto = f["protocol"].oneOf(["HTTP", "GRPC"])
        if proto == "GRPC", !f["grpc"].exists { f.error("grpc must be specified when protocol is set to 'GRPC'") }
        if f["grpc"].exists, proto != "GRPC" { f.error("protocol must be 'GRPC' when grpc is set") }
        if proto == "HTTP", !f["http"].exists { f.error("http must be specified when protocol is set to 'HTTP'") }
        if f["http"].exists, proto != "HTTP" { f.error("protocol must be 'HTTP' when http is set") }
        return RefDecoder.backendObjectRef(f["backendRef"])
    }
}

import GatewayAPI

/// A route turned into compiled rules and matches, before attachment decides
/// which listeners and hostnames they serve.
struct CompiledRoute {
    let view: RouteView
    /// Compiled rules by rule index (nil for dropped rules).
    let rules: [CompiledRule?]
    /// Matches in rule/match order; `ruleSlot` indexes `rules`.
    let matches: [CompiledMatch]
}

/// Compiles each route kind (one function per kind) into `CompiledRoute`.
struct RouteCompiler {
    let context: CompileContext
    var backendTLS: BackendTLSPhase? = nil

    // MARK: HTTPRoute

    func compile(_ route: HTTPRoute) -> CompiledRoute {
        var invalid: [Int: String] = [:]
        var rules: [CompiledRule?] = []
        var matches: [CompiledMatch] = []
        for (ruleIndex, rule) in route.rules.enumerated() {
            let ref = RuleRef(kind: "HTTPRoute", namespace: route.meta.namespace, name: route.meta.name, rule: ruleIndex, ruleName: rule.name)
            var ruleMatches: [CompiledMatch] = []
            do {
                for (matchIndex, match) in rule.matches.enumerated() {
                    ruleMatches.append(try compileHTTPMatch(match, meta: route.meta, ref: ref, ruleIndex: ruleIndex, matchIndex: matchIndex))
                }
                if let problem = unsupportedFilter(rule.filters + rule.backendRefs.flatMap(\.filters)) { throw RuleProblem(problem) }
            } catch let problem as RuleProblem {
                invalid[ruleIndex] = problem.message
                rules.append(nil)
                continue
            } catch {
                invalid[ruleIndex] = "\(error)"
                rules.append(nil)
                continue
            }
            rules.append(compileRule(ref: ref, filters: rule.filters, backendRefs: rule.backendRefs, namespace: route.meta.namespace,
                                     kind: "HTTPRoute", timeouts: Timeouts(request: rule.timeouts?.request, backendRequest: rule.timeouts?.backendRequest),
                                     retry: rule.retry))
            matches += ruleMatches
        }
        let view = RouteView(kind: "HTTPRoute", meta: route.meta, parentRefs: route.parentRefs, hostnames: route.hostnames,
                             usesHostnames: true, backendsPerRule: route.rules.map { backendsOf($0.backendRefs, $0.filters) }, invalidRules: invalid)
        return CompiledRoute(view: view, rules: rules, matches: matches)
    }

    func compileHTTPMatch(_ match: HTTPRouteMatch, meta: ObjectMeta, ref: RuleRef, ruleIndex: Int, matchIndex: Int) throws -> CompiledMatch {
        let path: PathMatcher
        let pathKind: Int
        switch match.path.type {
        case .exact: path = .exact(match.path.value); pathKind = 0
        case .pathPrefix: path = .prefix(PathMatcher.normalizedPrefix(match.path.value), written: match.path.value.count); pathKind = 2
        case .regularExpression:
            do { path = .regex(try RegexMatcher(match.path.value)) } catch {
                throw RuleProblem("path regular expression \(match.path.value) does not compile: \(error)")
            }
            pathKind = 1
        }
        let headers = try firstByName(match.headers.map { ($0.name.lowercased(), $0.type, $0.value) }, what: "header")
        let query = try firstByName(match.queryParams.map { ($0.name, $0.type, $0.value) }, what: "query parameter")
        var refWithMatch = ref
        refWithMatch.match = matchIndex
        let precedence = Precedence(pathKind: pathKind, primaryLength: match.path.value.count, secondaryLength: 0,
                                    hasMethod: match.method != nil, headerCount: headers.count, queryCount: query.count,
                                    routeAge: meta, routeName: "\(meta.namespace)/\(meta.name)", rule: ruleIndex, match: matchIndex)
        return CompiledMatch(ruleSlot: ruleIndex, ref: refWithMatch, path: path, method: match.method, headers: headers,
                             queryParams: query, grpcService: nil, grpcMethod: nil, precedence: precedence)
    }

    /// Only the first of several matches on one name counts (httproute_types.go,
    /// HTTPRouteMatch headers / queryParams).
    func firstByName(_ items: [(String, ValueMatchType, String)], what: String) throws -> [(name: String, matcher: ValueMatcher)] {
        var seen = Set<String>()
        var result: [(name: String, matcher: ValueMatcher)] = []
        for (name, type, value) in items where seen.insert(name).inserted {
            do { result.append((name, try ValueMatcher(type: type, value: value))) } catch {
                throw RuleProblem("\(what) \(name) regular expression \(value) does not compile: \(error)")
            }
        }
        return result
    }

    // MARK: GRPCRoute

    func compile(_ route: GRPCRoute) -> CompiledRoute {
        var invalid: [Int: String] = [:]
        var rules: [CompiledRule?] = []
        var matches: [CompiledMatch] = []
        for (ruleIndex, rule) in route.rules.enumerated() {
            let ref = RuleRef(kind: "GRPCRoute", namespace: route.meta.namespace, name: route.meta.name, rule: ruleIndex, ruleName: rule.name)
            var ruleMatches: [CompiledMatch] = []
            do {
                let written = rule.matches.isEmpty ? [GRPCRouteMatch()] : rule.matches
                for (matchIndex, match) in written.enumerated() {
                    ruleMatches.append(try compileGRPCMatch(match, meta: route.meta, ref: ref, ruleIndex: ruleIndex, matchIndex: matchIndex))
                }
                if let problem = unsupportedFilter(rule.filters + rule.backendRefs.flatMap(\.filters)) { throw RuleProblem(problem) }
            } catch {
                invalid[ruleIndex] = (error as? RuleProblem)?.message ?? "\(error)"
                rules.append(nil)
                continue
            }
            rules.append(compileRule(ref: ref, filters: rule.filters, backendRefs: rule.backendRefs, namespace: route.meta.namespace,
                                     kind: "GRPCRoute", timeouts: Timeouts()))
            matches += ruleMatches
        }
        let view = RouteView(kind: "GRPCRoute", meta: route.meta, parentRefs: route.parentRefs, hostnames: route.hostnames,
                             usesHostnames: true, backendsPerRule: route.rules.map { backendsOf($0.backendRefs, $0.filters) }, invalidRules: invalid)
        return CompiledRoute(view: view, rules: rules, matches: matches)
    }

    func compileGRPCMatch(_ match: GRPCRouteMatch, meta: ObjectMeta, ref: RuleRef, ruleIndex: Int, matchIndex: Int) throws -> CompiledMatch {
        var service: (matcher: ValueMatcher, length: Int)?
        var method: (matcher: ValueMatcher, length: Int)?
        if let m = match.method {
            do {
                if let s = m.service { service = (try ValueMatcher(type: m.type, value: s), s.count) }
                if let name = m.method { method = (try ValueMatcher(type: m.type, value: name), name.count) }
            } catch {
                throw RuleProblem("gRPC method regular expression does not compile: \(error)")
            }
        }
        let headers = try firstByName(match.headers.map { ($0.name.lowercased(), $0.type, $0.value) }, what: "header")
        var refWithMatch = ref
        refWithMatch.match = matchIndex
        let precedence = Precedence(pathKind: 0, primaryLength: service?.length ?? 0, secondaryLength: method?.length ?? 0,
                                    hasMethod: false, headerCount: headers.count, queryCount: 0,
                                    routeAge: meta, routeName: "\(meta.namespace)/\(meta.name)", rule: ruleIndex, match: matchIndex)
        return CompiledMatch(ruleSlot: ruleIndex, ref: refWithMatch, path: .prefix("/", written: 1), method: nil, headers: headers,
                             queryParams: [], grpcService: service, grpcMethod: method, precedence: precedence)
    }

    // MARK: TLSRoute, TCPRoute, UDPRoute

    func compile(_ route: L4Route) -> CompiledRoute {
        var rules: [CompiledRule?] = []
        for (ruleIndex, rule) in route.rules.enumerated() {
            let ref = RuleRef(kind: route.kind.rawValue, namespace: route.meta.namespace, name: route.meta.name, rule: ruleIndex, ruleName: rule.name)
            rules.append(compileRule(ref: ref, filters: [], backendRefs: rule.backendRefs, namespace: route.meta.namespace,
                                     kind: route.kind.rawValue, timeouts: Timeouts()))
        }
        let view = RouteView(kind: route.kind.rawValue, meta: route.meta, parentRefs: route.parentRefs, hostnames: route.hostnames,
                             usesHostnames: route.kind == .tls, backendsPerRule: route.rules.map { $0.backendRefs.map(\.ref) }, invalidRules: [:])
        return CompiledRoute(view: view, rules: rules, matches: [])
    }

    // MARK: Shared

    func backendsOf(_ refs: [HTTPBackendRef], _ filters: [HTTPRouteFilter]) -> [BackendObjectReference] {
        var result = refs.map(\.ref)
        for filter in filters + refs.flatMap(\.filters) {
            if case .requestMirror(let mirror) = filter { result.append(mirror.backendRef) }
        }
        return result
    }

    /// ExternalAuth needs an auth service gwsim cannot call: the rule is dropped
    /// (PartiallyInvalid, UnsupportedValue) rather than routed without the check.
    func unsupportedFilter(_ filters: [HTTPRouteFilter]) -> String? {
        for filter in filters {
            if case .externalAuth = filter { return "filter ExternalAuth is not supported" }
        }
        return nil
    }

    func compileRule(ref: RuleRef, filters: [HTTPRouteFilter], backendRefs: [HTTPBackendRef], namespace: String,
                     kind: String, timeouts: Timeouts, retry: HTTPRouteRetry? = nil) -> CompiledRule {
        let backends = backendRefs.map { backend -> CompiledBackend in
            let tls = backendTLS?.choice(for: backend.ref, routeNamespace: namespace, context: context)
            let problem = BackendResolution.problem(backend.ref, routeKind: kind, routeNamespace: namespace, context: context)
                ?? extensionProblem(backend.filters)
                ?? backendRedirectProblem(backend.filters)
                ?? tls.flatMap { $0.valid ? nil : (reason: "BackendTLSPolicy", message: "\($0.policy): \($0.problem ?? "not accepted")") }
            return CompiledBackend(ref: BackendResolution.backendRef(backend.ref, routeNamespace: namespace), weight: backend.weight,
                                   valid: problem == nil, invalidReason: problem.map { "\($0.reason): \($0.message)" }, filters: backend.filters,
                                   mirrors: compileMirrors(backend.filters, kind: kind, namespace: namespace), tls: tls)
        }
        let mirrors = compileMirrors(filters, kind: kind, namespace: namespace)
        let failure = extensionProblem(filters).map { (status: 500, reason: "\($0.reason): \($0.message)") }
        return CompiledRule(ref: ref, filters: filters, backends: backends, mirrors: mirrors, timeouts: timeouts, retry: retry, failure: failure)
    }

    func compileMirrors(_ filters: [HTTPRouteFilter], kind: String, namespace: String) -> [CompiledMirror] {
        filters.compactMap { filter in
            guard case .requestMirror(let mirror) = filter else { return nil }
            let problem = BackendResolution.problem(mirror.backendRef, routeKind: kind, routeNamespace: namespace, context: context)
            return CompiledMirror(ref: BackendResolution.backendRef(mirror.backendRef, routeNamespace: namespace),
                                  share: mirror.share, valid: problem == nil)
        }
    }

    /// A RequestRedirect among a backendRef's filters: the CRD allows it, but a redirect
    /// decided after the backend was picked is not something gwsim (or Envoy-based
    /// implementations) can do. Skipping it would forward what the route says to redirect,
    /// so, as for an ExtensionRef, the requests sent to that backend get a 500
    /// (httproute_types.go, HTTPBackendRef filters: support is implementation-specific).
    func backendRedirectProblem(_ filters: [HTTPRouteFilter]) -> (reason: String, message: String)? {
        for filter in filters {
            if case .requestRedirect = filter {
                return ("UnsupportedValue", "a RequestRedirect filter on a backendRef is not supported; put it on the rule")
            }
        }
        return nil
    }

    /// An ExtensionRef filter names a custom filter gwsim does not implement. The
    /// spec (httproute_types.go, HTTPRouteFilter ExtensionRef) says such a filter
    /// must not be skipped: requests it would process get an HTTP 500.
    func extensionProblem(_ filters: [HTTPRouteFilter]) -> (reason: String, message: String)? {
        for filter in filters {
            if case .extensionRef(let ref) = filter {
                return ("InvalidKind", "extension filter \(ref.group)/\(ref.kind) \(ref.name) is not supported")
            }
        }
        return nil
    }
}

/// Why a rule cannot be compiled.
struct RuleProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

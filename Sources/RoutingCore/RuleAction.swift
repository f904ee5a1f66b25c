import GatewayAPI

/// What a matched rule does with the request: filters in order, then the
/// weighted backend choice (httproute_types.go, HTTPRouteRule filters and backendRefs).
struct RuleAction {
    let rule: CompiledRule
    let match: CompiledMatch
    let listener: CompiledListener
    let request: RouteRequest
    var forwarded: ForwardedRequest
    let key: String

    init(rule: CompiledRule, match: CompiledMatch, listener: CompiledListener, request: RouteRequest, forwarded: ForwardedRequest, key: String) {
        self.rule = rule
        self.match = match
        self.listener = listener
        self.request = request
        self.forwarded = forwarded
        self.key = key
    }

    func apply() -> Decision {
        var decision = Decision(listener: listener.ref, route: match.ref, outcome: .forward, request: forwarded)
        decision.backends = rule.weightedBackends
        decision.timeouts = rule.timeouts
        if let failure = rule.failure {
            decision.outcome = .error
            decision.status = failure.status
            decision.reason = failure.reason
            return decision
        }
        var responseHeaders = HeaderChanges()
        var redirect: Redirect?
        for filter in rule.filters {
            switch filter {
            case .requestHeaderModifier(let modifier):
                HeaderEdit.apply(modifier, to: &decision.request.headers)
            case .responseHeaderModifier(let modifier):
                responseHeaders.set += modifier.set
                responseHeaders.add += modifier.add
                responseHeaders.remove += modifier.remove
            case .requestRedirect(let filter):
                redirect = Redirect(status: filter.statusCode, location: RedirectBuilder.location(filter, request: request, listener: listener, match: match))
            case .urlRewrite(let rewrite):
                if let hostname = rewrite.hostname { decision.request.host = hostname }
                if let path = rewrite.path { decision.request.path = PathRewrite.apply(path, to: decision.request.path, match: match) }
            case .requestMirror:
                break // collected below, from the compiled mirrors
            case .cors(let policy):
                decision.cors = CORSEvaluation.evaluate(policy, request: request)
            case .extensionRef, .externalAuth:
                break // rejected at compile time
            }
        }
        decision.responseHeaders = responseHeaders
        decision.mirrors = rule.mirrors.enumerated().map { index, mirror in
            Mirror(backend: mirror.ref, share: mirror.share,
                   selected: mirror.valid && WeightedChoice.point(for: key, salt: UInt64(index + 1)) < mirror.share, valid: mirror.valid)
        }
        if let redirect {
            decision.outcome = .redirect
            decision.status = redirect.status
            decision.redirect = redirect
            decision.mirrors = []
            return decision
        }
        if let cors = decision.cors, cors.preflight {
            decision.outcome = .respond
            decision.status = 200
            decision.mirrors = []
            return decision
        }
        return chooseBackend(decision)
    }

    /// Weighted choice by key; an invalid backend answers 500 for exactly its
    /// share, and a rule without backends answers 500 (httproute_types.go, backendRefs).
    func chooseBackend(_ decision: Decision) -> Decision {
        var decision = decision
        guard !rule.backends.isEmpty else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = "rule has no backendRefs"
            return decision
        }
        guard let index = WeightedChoice.pick(weights: rule.backends.map(\.weight), point: WeightedChoice.point(for: key)) else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = "every backendRef has weight 0"
            return decision
        }
        let backend = rule.backends[index]
        decision.backend = backend.ref
        guard backend.valid else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = backend.invalidReason
            return decision
        }
        for filter in backend.filters {
            switch filter {
            case .requestHeaderModifier(let modifier): HeaderEdit.apply(modifier, to: &decision.request.headers)
            case .responseHeaderModifier(let modifier):
                decision.responseHeaders.set += modifier.set
                decision.responseHeaders.add += modifier.add
                decision.responseHeaders.remove += modifier.remove
            case .requestMirror(let mirror):
                decision.mirrors.append(Mirror(backend: BackendResolution.backendRef(mirror.backendRef, routeNamespace: backend.ref.namespace),
                                               share: mirror.share, selected: WeightedChoice.point(for: key, salt: 99) < mirror.share, valid: true))
            default: break
            }
        }
        return decision
    }
}

/// `HTTPHeaderFilter` semantics: set replaces every value of a name, add appends
/// a value, remove drops every value; names compare case-insensitively and are
/// written lower-case.
enum HeaderEdit {
    static func apply(_ modifier: HeaderModifier, to headers: inout [HTTPHeader]) {
        for header in modifier.set {
            let name = header.name.lowercased()
            if let first = headers.firstIndex(where: { $0.name == name }) {
                headers[first].value = header.value
                var index = headers.count - 1
                while index > first {
                    if headers[index].name == name { headers.remove(at: index) }
                    index -= 1
                }
            } else {
                headers.append(HTTPHeader(name: name, value: header.value))
            }
        }
        for header in modifier.add {
            let name = header.name.lowercased()
            if let last = headers.lastIndex(where: { $0.name == name }) {
                headers[last].value += "," + header.value
            } else {
                headers.append(HTTPHeader(name: name, value: header.value))
            }
        }
        if !modifier.remove.isEmpty {
            let names = Set(modifier.remove.map { $0.lowercased() })
            headers.removeAll { names.contains($0.name) }
        }
    }
}

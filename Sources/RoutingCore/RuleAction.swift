import GatewayAPI

/// What a matched rule does with the request: filters in order, then the
/// weighted backend choice (httproute_types.go, HTTPRouteRule filters and backendRefs).
enum RuleAction {
    static func apply(_ rule: CompiledRule, match: CompiledMatch, listener: CompiledListener, request: RouteRequest,
                      key: String, to decision: inout Decision) {
        decision.route = match.ref
        decision.backends = rule.weightedBackends
        decision.timeouts = rule.timeouts
        decision.retry = rule.retry
        if let failure = rule.failure {
            decision.outcome = .error
            decision.status = failure.status
            decision.reason = failure.reason
            return
        }
        var redirect: Redirect?
        for filter in rule.filters {
            switch filter {
            case .requestHeaderModifier(let modifier):
                HeaderEdit.apply(modifier, to: &decision.request.headers)
            case .responseHeaderModifier(let modifier):
                decision.responseHeaders.set += modifier.set
                decision.responseHeaders.add += modifier.add
                decision.responseHeaders.remove += modifier.remove
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
        if !rule.mirrors.isEmpty {
            decision.mirrors = rule.mirrors.enumerated().map { index, mirror in
                Mirror(backend: mirror.ref, share: mirror.share,
                       selected: mirror.valid && WeightedChoice.point(for: key, salt: UInt64(index + 1)) < mirror.share, valid: mirror.valid)
            }
        }
        if let redirect {
            decision.outcome = .redirect
            decision.status = redirect.status
            decision.redirect = redirect
            decision.mirrors = []
            return
        }
        if let cors = decision.cors, cors.preflight {
            decision.outcome = .respond
            decision.status = 200
            decision.mirrors = []
            return
        }
        chooseBackend(rule, match: match, key: key, decision: &decision)
    }

    /// Weighted choice by key; an invalid backend answers 500 for exactly its
    /// share, and a rule without backends answers 500 (httproute_types.go, backendRefs).
    static func chooseBackend(_ rule: CompiledRule, match: CompiledMatch, key: String, decision: inout Decision) {
        guard !rule.backends.isEmpty else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = "rule has no backendRefs"
            return
        }
        guard let index = rule.pick(key: key) else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = "every backendRef has weight 0"
            return
        }
        let backend = rule.backends[index]
        decision.backend = backend.ref
        decision.backendTLS = backend.tls.map { BackendTLS(policy: $0.policy, sni: $0.sni, subjectAltNames: $0.subjectAltNames, caCertificateRefs: $0.caCertificateRefs) }
        guard backend.valid else {
            decision.outcome = .error
            decision.status = 500
            decision.reason = backend.invalidReason
            return
        }
        // Backend-level filters run only for requests sent to this backend (HTTPBackendRef filters).
        for filter in backend.filters {
            switch filter {
            case .requestHeaderModifier(let modifier): HeaderEdit.apply(modifier, to: &decision.request.headers)
            case .responseHeaderModifier(let modifier):
                decision.responseHeaders.set += modifier.set
                decision.responseHeaders.add += modifier.add
                decision.responseHeaders.remove += modifier.remove
            case .urlRewrite(let rewrite):
                if let hostname = rewrite.hostname { decision.request.host = hostname }
                if let path = rewrite.path { decision.request.path = PathRewrite.apply(path, to: decision.request.path, match: match) }
            case .cors(let policy):
                decision.cors = CORSEvaluation.evaluate(policy, request: decision.request.asRouteRequest)
            default: break // mirrors below; a backend with a redirect is invalid (RouteCompiler.backendRedirectProblem)
            }
        }
        for (index, mirror) in backend.mirrors.enumerated() {
            decision.mirrors.append(Mirror(backend: mirror.ref, share: mirror.share,
                                           selected: mirror.valid && WeightedChoice.point(for: key, salt: UInt64(100 + index)) < mirror.share,
                                           valid: mirror.valid))
        }
    }
}

/// `HTTPHeaderFilter` semantics: set replaces every value of a name, add appends
/// to the existing value (`foo` + add `bar` = `foo,bar`, as the spec's example
/// shows), remove drops every value. Names compare case-insensitively; names the
/// filter introduces are written lower-case.
enum HeaderEdit {
    static func apply(_ modifier: HeaderModifier, to headers: inout [HTTPHeader]) {
        for header in modifier.set {
            if let first = headers.firstIndex(where: { $0.name.asciiEqualsIgnoringCase(header.name) }) {
                headers[first].value = header.value
                var index = headers.count - 1
                while index > first {
                    if headers[index].name.asciiEqualsIgnoringCase(header.name) { headers.remove(at: index) }
                    index -= 1
                }
            } else {
                headers.append(HTTPHeader(name: header.name.lowercased(), value: header.value))
            }
        }
        for header in modifier.add {
            if let last = headers.lastIndex(where: { $0.name.asciiEqualsIgnoringCase(header.name) }) {
                headers[last].value += "," + header.value
            } else {
                headers.append(HTTPHeader(name: header.name.lowercased(), value: header.value))
            }
        }
        for name in modifier.remove {
            headers.removeAll { $0.name.asciiEqualsIgnoringCase(name) }
        }
    }
}

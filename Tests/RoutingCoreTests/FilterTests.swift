import GatewayAPI
import RoutingCore
import Testing

/// One test per filter and per edge of the rule actions (httproute_types.go:
/// HTTPHeaderFilter, HTTPRequestRedirectFilter, HTTPURLRewriteFilter,
/// HTTPPathModifier, HTTPRequestMirrorFilter, HTTPCORSFilter, HTTPBackendRef,
/// HTTPRouteRule.backendRefs, HTTPRouteTimeouts).
@Suite struct FilterTests {
    typealias F = Fixture

    /// A table with one route: one rule with `matches`, `filters` and `backendRefs` as flow YAML.
    func table(matches: String = "[{path: {value: /}}]", filters: String = "[]", backends: String? = "[{name: one, port: 80}]",
               gateway: String? = nil, extra: [String] = []) -> RoutingTable {
        let backendPart = backends.map { ", backendRefs: \($0)" } ?? ""
        return F.table(extra + [F.httpRoute("r", rules: "[{matches: \(matches), filters: \(filters)\(backendPart)}]")], gateway: gateway)
    }

    // MARK: RequestHeaderModifier

    @Test func requestHeaderSetReplacesEveryValueCaseInsensitively() {
        let t = table(filters: "[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: My-Header, value: bar}]}}]")
        let d = t.route(get("/", headers: [("my-header", "foo"), ("MY-HEADER", "foo2"), ("other", "x")]), key: "k")
        #expect(d.request.header("my-header") == "bar")
        #expect(d.request.headers.filter { $0.name.lowercased() == "my-header" }.count == 1)
        #expect(d.request.header("other") == "x")
        // set on an absent header adds it.
        #expect(t.route(get("/"), key: "k").request.header("my-header") == "bar")
    }

    @Test func requestHeaderAddAppendsAsTheSpecExampleShows() {
        // Input `my-header: foo`, config add my-header: "bar,baz", output `my-header: foo,bar,baz`.
        let t = table(filters: "[{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: My-Header, value: 'bar,baz'}]}}]")
        let d = t.route(get("/", headers: [("my-header", "foo")]), key: "k")
        #expect(d.request.header("my-header") == "foo,bar,baz")
        #expect(t.route(get("/"), key: "k").request.header("my-header") == "bar,baz")
    }

    @Test func requestHeaderRemoveIsCaseInsensitive() {
        let t = table(filters: "[{type: RequestHeaderModifier, requestHeaderModifier: {remove: [MY-HEADER1, my-header3]}}]")
        let d = t.route(get("/", headers: [("my-header1", "foo"), ("My-Header2", "bar"), ("my-HEADER3", "baz")]), key: "k")
        #expect(d.request.header("my-header1") == nil)
        #expect(d.request.header("my-header2") == "bar")
        #expect(d.request.header("my-header3") == nil)
    }

    @Test func requestHeaderSetAddRemoveTogether() {
        let t = table(filters: """
            [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: s, value: set}], add: [{name: a, value: added}], remove: [r]}}]
            """)
        let d = t.route(get("/", headers: [("S", "old"), ("A", "first"), ("R", "gone")]), key: "k")
        #expect(d.request.header("s") == "set")
        #expect(d.request.header("a") == "first,added")
        #expect(d.request.header("r") == nil)
    }

    // MARK: ResponseHeaderModifier

    @Test func responseHeaderModifierIsCarriedIntoTheDecision() {
        let t = table(filters: """
            [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Set, value: '1'}], add: [{name: X-Add, value: '2'}], remove: [X-Remove]}}]
            """)
        let d = t.route(get("/"), key: "k")
        #expect(d.outcome == .forward)
        #expect(d.responseHeaders.set.map(\.value) == ["1"] && d.responseHeaders.set.map { $0.name.lowercased() } == ["x-set"])
        #expect(d.responseHeaders.add.map(\.value) == ["2"] && d.responseHeaders.add.map { $0.name.lowercased() } == ["x-add"])
        #expect(d.responseHeaders.remove.map { $0.lowercased() } == ["x-remove"])
        // The request itself is untouched.
        #expect(d.request.header("x-set") == nil)
    }

    // MARK: RequestRedirect

    func redirect(_ config: String, matches: String = "[{path: {value: /}}]", gateway: String? = nil,
                  request: RouteRequest = get("/path?q=1")) -> Decision {
        table(matches: matches, filters: "[{type: RequestRedirect, requestRedirect: \(config)}]", backends: nil, gateway: gateway)
            .route(request, key: "k")
    }

    static let listener8080 = Fixture.gateway(listeners: ["{name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"])

    @Test func redirectDefaultsTo302AndKeepsEverything() {
        let d = redirect("{}", gateway: Self.listener8080, request: get("/path?q=1", port: 8080))
        #expect(d.outcome == .redirect && d.status == 302)
        // "If redirect scheme is empty, the redirect port MUST be the Gateway Listener port."
        #expect(d.redirect?.location == "http://example.com:8080/path?q=1")
    }

    @Test func redirectSchemeChangeUsesWellKnownPort() {
        // "If redirect scheme is not-empty, the redirect port MUST be the well-known port associated with the redirect scheme"
        let https = redirect("{scheme: https}", gateway: Self.listener8080, request: get("/path?q=1", port: 8080))
        #expect(https.redirect?.location == "https://example.com/path?q=1")
        let http = redirect("{scheme: http}", gateway: Self.listener8080, request: get("/path?q=1", port: 8080))
        #expect(http.redirect?.location == "http://example.com/path?q=1")
    }

    @Test func redirectExplicitPort() {
        #expect(redirect("{port: 8443}").redirect?.location == "http://example.com:8443/path?q=1")
        #expect(redirect("{scheme: https, port: 8443}").redirect?.location == "https://example.com:8443/path?q=1")
        // Not the well-known port of the scheme: kept.
        #expect(redirect("{scheme: https, port: 80}").redirect?.location == "https://example.com:80/path?q=1")
        #expect(redirect("{scheme: http, port: 443}").redirect?.location == "http://example.com:443/path?q=1")
    }

    @Test func redirectOmitsPort80ForHTTPAnd443ForHTTPS() {
        #expect(redirect("{}").redirect?.location == "http://example.com/path?q=1") // listener port 80, scheme http
        #expect(redirect("{port: 80}").redirect?.location == "http://example.com/path?q=1")
        #expect(redirect("{scheme: https, port: 443}").redirect?.location == "https://example.com/path?q=1")
    }

    @Test func redirectHostnameReplacesHostAndDropsRequestPort() {
        let d = redirect("{hostname: new.example.com}", request: get("/p", host: "old.example.com:80"))
        #expect(d.redirect?.location == "http://new.example.com/p")
        // Without hostname, the Host header's host (not its port) is used.
        let same = redirect("{}", request: get("/p", host: "Old.Example.com:1234"))
        #expect(same.redirect?.location == "http://old.example.com/p")
    }

    @Test func redirectReplaceFullPathKeepsQuery() {
        let d = redirect("{path: {type: ReplaceFullPath, replaceFullPath: /new}}", request: get("/old/x?q=1&r=2"))
        #expect(d.redirect?.location == "http://example.com/new?q=1&r=2")
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func redirectStatusCodes(code: Int) {
        let d = redirect("{statusCode: \(code)}")
        #expect(d.outcome == .redirect && d.status == code && d.redirect?.status == code)
        #expect(d.backend == nil)
    }

    /// The table in httproute_types.go, HTTPPathModifier.ReplacePrefixMatch.
    static let replacePrefixTable: [(request: String, prefix: String, replace: String, expected: String)] = [
        ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
        ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
        ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
        ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
        ("/foo", "/foo", "/xyz", "/xyz"),
        ("/foo/", "/foo", "/xyz", "/xyz/"),
        ("/foo/bar", "/foo", "", "/bar"),
        ("/foo/", "/foo", "", "/"),
        ("/foo", "/foo", "", "/"),
        ("/foo/", "/foo", "/", "/"),
        ("/foo", "/foo", "/", "/"),
    ]

    @Test(arguments: 0..<11)
    func redirectReplacePrefixMatchTable(row: Int) {
        let r = Self.replacePrefixTable[row]
        let d = redirect("{path: {type: ReplacePrefixMatch, replacePrefixMatch: '\(r.replace)'}}",
                         matches: "[{path: {type: PathPrefix, value: '\(r.prefix)'}}]", request: get(r.request))
        #expect(d.redirect?.location == "http://example.com" + r.expected, "row \(row): \(r)")
    }

    @Test func redirectReplacePrefixMatchKeepsQuery() {
        let d = redirect("{path: {type: ReplacePrefixMatch, replacePrefixMatch: /xyz}}",
                         matches: "[{path: {type: PathPrefix, value: /foo}}]", request: get("/foo/bar?a=b"))
        #expect(d.redirect?.location == "http://example.com/xyz/bar?a=b")
    }

    @Test func redirectHasNoBackendsAndNoMirrors() {
        let d = redirect("{scheme: https, statusCode: 301}")
        #expect(d.outcome == .redirect && d.status == 301)
        #expect(d.mirrors.isEmpty)
    }

    // MARK: URLRewrite

    func rewrite(_ config: String, matches: String = "[{path: {value: /}}]", request: RouteRequest) -> Decision {
        table(matches: matches, filters: "[{type: URLRewrite, urlRewrite: \(config)}]").route(request, key: "k")
    }

    @Test func rewriteHostname() {
        let d = rewrite("{hostname: backend.internal}", request: get("/p?x=1", host: "example.com:80"))
        #expect(d.outcome == .forward && d.backendName == "one")
        #expect(d.request.host == "backend.internal")
        #expect(d.request.path == "/p?x=1")
    }

    @Test func rewriteReplaceFullPath() {
        let d = rewrite("{path: {type: ReplaceFullPath, replaceFullPath: /one}}", matches: "[{path: {value: /prefix}}]",
                        request: get("/prefix/a/b?x=1"))
        #expect(d.request.path == "/one?x=1")
        #expect(d.request.host == "example.com")
    }

    @Test(arguments: 0..<11)
    func rewriteReplacePrefixMatchTable(row: Int) {
        let r = Self.replacePrefixTable[row]
        let d = rewrite("{path: {type: ReplacePrefixMatch, replacePrefixMatch: '\(r.replace)'}}",
                        matches: "[{path: {type: PathPrefix, value: '\(r.prefix)'}}]", request: get(r.request))
        #expect(d.outcome == .forward)
        #expect(d.request.path == r.expected, "row \(row): \(r)")
    }

    // MARK: RequestMirror

    func mirrorTable(_ config: String) -> RoutingTable {
        table(filters: "[{type: RequestMirror, requestMirror: \(config)}]")
    }

    func selectedCount(_ t: RoutingTable, keys: Int = 10_000) -> Int {
        (0..<keys).reduce(0) { count, i in count + (t.route(get("/"), key: "req-\(i)").mirrors.first?.selected == true ? 1 : 0) }
    }

    @Test func mirrorWithoutShareMirrorsEverything() {
        let t = mirrorTable("{backendRef: {name: two, port: 80}}")
        let d = t.route(get("/"), key: "k")
        #expect(d.backendName == "one")
        #expect(d.mirrors.count == 1 && d.mirrors[0].backend.name == "two" && d.mirrors[0].share == 1 && d.mirrors[0].selected && d.mirrors[0].valid)
        #expect(selectedCount(t, keys: 500) == 500)
    }

    @Test func mirrorPercentSelectsThatShare() {
        let t = mirrorTable("{backendRef: {name: two, port: 80}, percent: 30}")
        #expect(t.route(get("/"), key: "k").mirrors.first?.share == 0.3)
        let count = selectedCount(t)
        #expect((2_800...3_200).contains(count), "selected \(count) of 10000")
    }

    @Test func mirrorFractionSelectsThatShare() {
        let t = mirrorTable("{backendRef: {name: two, port: 80}, fraction: {numerator: 1, denominator: 4}}")
        #expect(t.route(get("/"), key: "k").mirrors.first?.share == 0.25)
        let count = selectedCount(t)
        #expect((2_300...2_700).contains(count), "selected \(count) of 10000")
        // Zero percent never mirrors.
        #expect(selectedCount(mirrorTable("{backendRef: {name: two, port: 80}, percent: 0}"), keys: 1_000) == 0)
    }

    @Test func mirrorSelectionIsDeterministicPerKey() {
        let t = mirrorTable("{backendRef: {name: two, port: 80}, percent: 50}")
        let again = mirrorTable("{backendRef: {name: two, port: 80}, percent: 50}")
        for i in 0..<200 {
            let key = "key-\(i)"
            let first = t.route(get("/"), key: key).mirrors.first?.selected
            #expect(first == t.route(get("/other"), key: key).mirrors.first?.selected)
            #expect(first == again.route(get("/"), key: key).mirrors.first?.selected)
        }
    }

    @Test func mirrorToMissingServiceIsInvalidAndNeverSelected() {
        let t = mirrorTable("{backendRef: {name: missing, port: 80}}")
        let d = t.route(get("/"), key: "k")
        #expect(d.backendName == "one")
        #expect(d.mirrors.first?.valid == false && d.mirrors.first?.selected == false)
    }

    @Test func backendLevelMirrorToMissingServiceIsInvalid() {
        let t = table(backends: "[{name: one, port: 80, filters: [{type: RequestMirror, requestMirror: {backendRef: {name: missing, port: 80}}}]}]")
        let d = t.route(get("/"), key: "k")
        #expect(d.backendName == "one")
        #expect(d.mirrors.count == 1)
        #expect(d.mirrors.first?.valid == false && d.mirrors.first?.selected == false)
    }

    @Test func queryParamValuesArePercentDecoded() {
        let t = table(matches: "[{queryParams: [{name: q, value: 'a b'}]}]")
        #expect(t.route(get("/?q=a%20b"), key: "k").backendName == "one")
    }

    // MARK: CORS

    func cors(_ config: String) -> RoutingTable { table(filters: "[{type: CORS, cors: \(config)}]") }

    func preflight(origin: String, method: String = "PUT", requestHeaders: String? = nil) -> RouteRequest {
        var headers = [("Origin", origin), ("Access-Control-Request-Method", method)]
        if let requestHeaders { headers.append(("Access-Control-Request-Headers", requestHeaders)) }
        return get("/", method: "OPTIONS", headers: headers)
    }

    func header(_ d: Decision, _ name: String) -> String? { d.cors?.headers.first { $0.name.lowercased() == name }?.value }

    @Test func corsPreflightIsAnsweredByTheGateway() {
        let t = cors("{allowOrigins: ['https://app.example.com'], allowMethods: [GET, PUT], allowHeaders: [x-custom], maxAge: 60}")
        let d = t.route(preflight(origin: "https://app.example.com"), key: "k")
        #expect(d.outcome == .respond)
        #expect(d.status == 200 || d.status == 204)
        #expect(d.backend == nil)
        #expect(d.cors?.preflight == true && d.cors?.allowed == true)
        #expect(header(d, "access-control-allow-origin") == "https://app.example.com")
        #expect(header(d, "access-control-allow-methods")?.contains("PUT") == true)
        #expect(header(d, "access-control-allow-headers")?.lowercased().contains("x-custom") == true)
        #expect(header(d, "access-control-max-age") == "60")
        #expect(header(d, "access-control-allow-credentials") == nil) // "omit the header entirely"
    }

    @Test func corsDisallowedOriginGetsNoCORSHeaders() {
        let t = cors("{allowOrigins: ['https://app.example.com'], allowMethods: [GET]}")
        let d = t.route(preflight(origin: "https://evil.example.org"), key: "k")
        // "the gateway returns 204/200 response but doesn't set the relevant cross-origin response headers.
        // Alternatively, the gateway responds with 403"
        #expect(d.cors?.allowed == false)
        #expect(d.cors?.headers.isEmpty == true)
        #expect(d.status == 200 || d.status == 204 || d.status == 403)
        // An actual request from a disallowed origin is forwarded without CORS headers.
        let actual = t.route(get("/", headers: [("Origin", "https://evil.example.org")]), key: "k")
        #expect(actual.outcome == .forward && actual.cors?.headers.isEmpty != false)
    }

    @Test func corsActualRequestIsForwardedWithHeaders() {
        let t = cors("{allowOrigins: ['https://app.example.com'], exposeHeaders: [x-trace]}")
        let d = t.route(get("/", headers: [("Origin", "https://app.example.com")]), key: "k")
        #expect(d.outcome == .forward && d.backendName == "one")
        #expect(header(d, "access-control-allow-origin") == "https://app.example.com")
        #expect(header(d, "access-control-expose-headers")?.contains("x-trace") == true)
        // No Origin: not a CORS request at all.
        #expect(t.route(get("/"), key: "k").cors == nil)
    }

    @Test func corsWildcardOriginPatterns() {
        // "`*` is a greedy match to the _left_, including any number of DNS labels to the left of its position."
        let t = cors("{allowOrigins: ['https://*.example.com']}")
        func allowed(_ origin: String) -> Bool? { t.route(get("/", headers: [("Origin", origin)]), key: "k").cors?.allowed }
        #expect(allowed("https://a.example.com") == true)
        #expect(allowed("https://a.b.example.com") == true)
        #expect(allowed("https://example.com") == false)
        #expect(allowed("http://a.example.com") == false)
        #expect(allowed("https://a.example.org") == false)
    }

    @Test func corsOriginDefaultPortIsAssumed() {
        // "if not included, port `80` is assumed for `http` scheme origins, and port `443` is assumed for
        // `https` origins. This may affect origin matching."
        let t = cors("{allowOrigins: ['https://app.example.com', 'http://web.example.com:80']}")
        func allowed(_ origin: String) -> Bool? { t.route(get("/", headers: [("Origin", origin)]), key: "k").cors?.allowed }
        #expect(allowed("https://app.example.com:443") == true)
        #expect(allowed("http://web.example.com") == true)
        #expect(allowed("https://app.example.com:8443") == false)
    }

    @Test func corsWildcardWithCredentialsEchoesOrigin() {
        // "If the configuration contains the wildcard `*` in `allowOrigins` and `allowCredentials` is set to
        // `true`, the gateway must not return `*` in the `Access-Control-Allow-Origin` response header."
        let t = cors("{allowOrigins: ['*'], allowCredentials: true, allowMethods: ['*'], allowHeaders: ['*']}")
        let d = t.route(preflight(origin: "https://any.example.net", requestHeaders: "x-a"), key: "k")
        #expect(d.outcome == .respond)
        #expect(header(d, "access-control-allow-origin") == "https://any.example.net")
        #expect(header(d, "access-control-allow-credentials") == "true")
        #expect(header(d, "access-control-allow-methods") != "*")
        #expect(header(d, "access-control-allow-headers") != "*")
        // "If the `Access-Control-Request-Headers` header is not present in the request, the gateway
        // must omit the `Access-Control-Allow-Headers` response header."
        let none = t.route(preflight(origin: "https://any.example.net"), key: "k")
        #expect(none.outcome == .respond && header(none, "access-control-allow-headers") == nil)
        // Without credentials, `*` or the echoed origin are both allowed.
        let open = cors("{allowOrigins: ['*']}").route(get("/", headers: [("Origin", "https://x.test")]), key: "k")
        #expect(["*", "https://x.test"].contains(header(open, "access-control-allow-origin") ?? ""))
    }

    @Test func corsExposeWildcardIsNotSentWithCredentials() {
        // "If the configuration contains the wildcard `*` in `exposeHeaders` and `allowCredentials` is set to
        // `true`, the gateway cannot use the `*` in the `Access-Control-Expose-Headers` response header."
        let request = get("/", headers: [("Origin", "https://x.test")])
        let credentialed = cors("{allowOrigins: ['*'], allowCredentials: true, exposeHeaders: ['*']}").route(request, key: "k")
        #expect(credentialed.outcome == .forward && header(credentialed, "access-control-expose-headers") == nil)
        let open = cors("{allowOrigins: ['*'], exposeHeaders: ['*']}").route(request, key: "k")
        #expect(header(open, "access-control-expose-headers") == "*")
    }

    // MARK: Backend-level filters

    /// A redirect after the backend was picked is not supported: requests sent to that backend
    /// get 500 with the reason, never a forward that ignores the filter.
    @Test func backendLevelRedirectAnswers500ForItsShare() {
        let t = table(backends: """
            [{name: one, port: 80, filters: [{type: RequestRedirect, requestRedirect: {hostname: elsewhere.example.com}}]}]
            """)
        let d = t.route(get("/"), key: "k")
        #expect(d.outcome == .error && d.status == 500)
        #expect(d.backends.first?.valid == false)
        #expect(d.reason?.contains("RequestRedirect filter on a backendRef is not supported") == true)
    }

    @Test func backendFiltersApplyOnlyForTheChosenBackend() {
        let t = table(backends: """
            [{name: one, port: 80, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-backend, value: one}]}}]},
             {name: two, port: 80, filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: x-backend, value: two}]}}]}]
            """)
        var seen: Set<String> = []
        for i in 0..<200 {
            let d = t.route(get("/"), key: "req-\(i)")
            guard let name = d.backendName else { Issue.record("no backend for req-\(i)"); continue }
            seen.insert(name)
            if name == "one" {
                #expect(d.request.header("x-backend") == "one")
                #expect(d.responseHeaders.set.isEmpty)
            } else {
                #expect(d.request.header("x-backend") == nil)
                #expect(d.responseHeaders.set.map(\.value) == ["two"])
            }
        }
        #expect(seen == ["one", "two"])
    }

    @Test func backendLevelURLRewriteAppliesForItsBackend() {
        // HTTPBackendRef.filters: "Filters defined at this level should be executed if and only if the
        // request is being forwarded to the backend defined here." URLRewrite is one of the allowed filters.
        let t = table(matches: "[{path: {type: PathPrefix, value: /api}}]", backends: """
            [{name: one, port: 80, filters: [{type: URLRewrite, urlRewrite: {hostname: one.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1}}}]},
             {name: two, port: 80}]
            """)
        var one: [String] = [], two: [String] = []
        for i in 0..<100 {
            let d = t.route(get("/api/items"), key: "req-\(i)")
            let seen = "\(d.request.host)\(d.request.path)"
            if d.backendName == "one" { one.append(seen) } else { two.append(seen) }
        }
        #expect(!one.isEmpty && !two.isEmpty)
        #expect(Set(one) == ["one.internal/v1/items"])
        #expect(Set(two) == ["example.com/api/items"])
    }

    // MARK: Timeouts, ExtensionRef, missing and invalid backends

    @Test func timeoutsAreCarriedIntoTheDecision() {
        let t = F.table([F.httpRoute("r", rules: "[{backendRefs: [{name: one, port: 80}], timeouts: {request: 10s, backendRequest: 500ms}}]")])
        let d = t.route(get("/"), key: "k")
        #expect(d.timeouts.request == 10)
        #expect(d.timeouts.backendRequest == 0.5)
        let none = F.table([F.httpRoute("r", rules: "[\(rule(to: "one"))]")]).route(get("/"), key: "k")
        #expect(none.timeouts.request == nil && none.timeouts.backendRequest == nil)
        let disabled = F.table([F.httpRoute("r", rules: "[{backendRefs: [{name: one, port: 80}], timeouts: {request: '0s'}}]")])
        #expect(disabled.route(get("/"), key: "k").timeouts.request == 0)
    }

    @Test func extensionRefFilterAnswers500() {
        // "If a reference to a custom filter type cannot be resolved, the filter MUST NOT be skipped.
        // Instead, requests that would have been processed by that filter MUST receive a HTTP error response."
        let t = table(filters: "[{type: ExtensionRef, extensionRef: {group: example.com, kind: Fancy, name: f}}]")
        let d = t.route(get("/"), key: "k")
        #expect(d.outcome == .error && d.status == 500)
        #expect(d.backend == nil)
    }

    @Test func ruleWithoutBackendRefsAnswers500() {
        let d = table(backends: nil).route(get("/"), key: "k")
        #expect(d.outcome == .error && d.status == 500)
    }

    func errorShare(_ backends: String, extra: [String] = [], keys: Int = 10_000) -> (errors: Int, sample: Decision?) {
        let t = table(backends: backends, extra: extra)
        var errors = 0
        var sample: Decision?
        for i in 0..<keys {
            let d = t.route(get("/"), key: "req-\(i)")
            if d.outcome == .error {
                #expect(d.status == 500)
                errors += 1
                sample = sample ?? d
            } else {
                #expect(d.backendName == "one")
            }
        }
        return (errors, sample)
    }

    @Test func missingServiceAnswers500ForItsWeightShare() {
        let (errors, sample) = errorShare("[{name: one, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}]")
        #expect((2_350...2_650).contains(errors), "\(errors) of 10000 got 500")
        #expect(sample?.backend?.name == "missing")
        #expect(sample?.backends.first { $0.backend.name == "missing" }?.valid == false)
        #expect(sample?.backends.first { $0.backend.name == "missing" }?.invalidReason?.contains("BackendNotFound") == true)
    }

    @Test func crossNamespaceBackendWithoutGrantAnswers500ForItsWeightShare() {
        let other = F.service("svc", namespace: "other")
        let (errors, sample) = errorShare("[{name: one, port: 80}, {name: svc, namespace: other, port: 80}]", extra: [other])
        #expect((4_800...5_200).contains(errors), "\(errors) of 10000 got 500")
        #expect(sample?.backends.first { $0.backend.name == "svc" }?.invalidReason?.contains("RefNotPermitted") == true)
        // With a ReferenceGrant the same backend is valid.
        let grant = """
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: allow, namespace: other}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
              to: [{group: '', kind: Service}]
            """
        let granted = table(backends: "[{name: one, port: 80}, {name: svc, namespace: other, port: 80}]", extra: [other, grant])
        let outcomes = Set((0..<200).map { granted.route(get("/"), key: "req-\($0)").outcome })
        #expect(outcomes == [.forward])
    }

    @Test func nonServiceBackendKindAnswers500ForItsWeightShare() {
        let (errors, sample) = errorShare("[{name: one, port: 80, weight: 1}, {group: example.com, kind: Bucket, name: b, weight: 1}]")
        #expect((4_800...5_200).contains(errors), "\(errors) of 10000 got 500")
        #expect(sample?.backends.first { $0.backend.kind == "Bucket" }?.invalidReason?.contains("InvalidKind") == true)
    }

    @Test func weightZeroBackendIsNeverChosen() {
        let t = table(backends: "[{name: one, port: 80, weight: 1}, {name: two, port: 80, weight: 0}]")
        let d = t.route(get("/"), key: "k")
        #expect(d.backends.map(\.share) == [1, 0])
        for i in 0..<2_000 { #expect(t.route(get("/"), key: "req-\(i)").backendName == "one") }
        // All weights 0: nothing can be chosen -> 500.
        let none = table(backends: "[{name: one, port: 80, weight: 0}]").route(get("/"), key: "k")
        #expect(none.outcome == .error && none.status == 500)
    }

    @Test func noRuleMatchAnswers404() {
        let t = table(matches: "[{path: {type: Exact, value: /only}}]")
        let d = t.route(get("/other"), key: "k")
        #expect(d.outcome == .error && d.status == 404 && d.backend == nil)
        #expect(d.listener?.name == "http")
        // A host no route serves is 404 too.
        let hosted = F.table([F.httpRoute("r", hostnames: ["a.example.com"], rules: "[\(rule(to: "one"))]")])
        #expect(hosted.route(get("/", host: "b.example.com"), key: "k").status == 404)
        // A port no listener serves is 404.
        #expect(t.route(get("/only", port: 81), key: "k").status == 404)
    }

    @Test func weightChangeMovesOnlyTheRightShare() {
        let before = table(backends: "[{name: whoami, port: 80, weight: 3}, {name: nginx, port: 80, weight: 1}]")
        let after = table(backends: "[{name: whoami, port: 80, weight: 1}, {name: nginx, port: 80, weight: 1}]")
        var moved = 0, wrongWay = 0, whoamiBefore = 0
        for i in 0..<10_000 {
            let key = "request-\(i)"
            let a = before.route(get("/"), key: key).backendName
            let b = after.route(get("/"), key: key).backendName
            if a == "whoami" { whoamiBefore += 1 }
            if a != b {
                if a == "whoami" && b == "nginx" { moved += 1 } else { wrongWay += 1 }
            }
        }
        #expect((7_350...7_650).contains(whoamiBefore), "whoami had \(whoamiBefore)")
        #expect((2_350...2_650).contains(moved), "moved \(moved)")
        #expect(wrongWay == 0)
    }
}

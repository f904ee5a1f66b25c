import GatewayAPI
import RoutingCore
import Testing

/// One test per precedence rule of httproute_types.go (HTTPRouteSpec.hostnames,
/// HTTPRouteRule.matches), gateway_types.go (Listener hostname isolation) and
/// grpcroute_types.go (GRPCRouteRule.matches). Every test has at least two
/// competing routes or rules and checks which one wins.
@Suite struct PrecedenceTests {
    typealias F = Fixture

    // MARK: Hostnames ("precedence must be given to rules from the HTTPRoute with the
    // largest number of: Characters in a matching non-wildcard hostname. Characters in a matching hostname.")

    @Test func exactHostnameBeatsWildcard() {
        let table = F.table([
            F.httpRoute("wild", hostnames: ["*.example.com"], created: "2020-01-01T00:00:00Z", rules: "[\(rule(to: "two"))]"),
            F.httpRoute("exact", hostnames: ["foo.example.com"], created: "2024-01-01T00:00:00Z", rules: "[\(rule(to: "one"))]"),
        ])
        #expect(table.route(get("/", host: "foo.example.com"), key: "k").backendName == "one")
        #expect(table.route(get("/", host: "bar.example.com"), key: "k").backendName == "two")
    }

    @Test func longerWildcardBeatsShorter() {
        let table = F.table([
            F.httpRoute("short", hostnames: ["*.example.com"], rules: "[\(rule(to: "one"))]"),
            F.httpRoute("long", hostnames: ["*.foo.example.com"], rules: "[\(rule(to: "two"))]"),
        ])
        #expect(table.route(get("/", host: "x.foo.example.com"), key: "k").backendName == "two")
        #expect(table.route(get("/", host: "a.b.foo.example.com"), key: "k").backendName == "two")
        #expect(table.route(get("/", host: "x.example.com"), key: "k").backendName == "one")
        // A wildcard never matches its own suffix: foo.example.com is under *.example.com only.
        #expect(table.route(get("/", host: "foo.example.com"), key: "k").backendName == "one")
    }

    @Test func wildcardBeatsCatchAll() {
        let table = F.table([
            F.httpRoute("any", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("wild", hostnames: ["*.example.com"], rules: "[\(rule(to: "two"))]"),
        ])
        #expect(table.route(get("/", host: "x.example.com"), key: "k").backendName == "two")
        #expect(table.route(get("/", host: "example.org"), key: "k").backendName == "one")
        #expect(table.route(get("/", host: "example.com"), key: "k").backendName == "one")
    }

    @Test func hostnamesCompareCaseInsensitively() {
        let table = F.table([F.httpRoute("exact", hostnames: ["foo.example.com"], rules: "[\(rule(to: "one"))]")])
        #expect(table.route(get("/", host: "FOO.Example.COM"), key: "k").backendName == "one")
        #expect(table.route(get("/", host: "bar.example.com"), key: "k").status == 404)
    }

    // MARK: Paths ("Exact" path match, then "Prefix" path match with largest number of characters)

    @Test func exactPathBeatsPathPrefix() {
        // The prefix route is older, so only the path type can make the exact route win.
        let table = F.table([
            F.httpRoute("prefix", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{path: {type: PathPrefix, value: /foo}}", to: "two"))]"),
            F.httpRoute("exact", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {type: Exact, value: /foo}}", to: "one"))]"),
        ])
        #expect(table.route(get("/foo"), key: "k").backendName == "one")
        #expect(table.route(get("/foo/bar"), key: "k").backendName == "two")
        #expect(table.route(get("/foo/"), key: "k").backendName == "two") // Exact is exact: no trailing-slash leniency
    }

    @Test func exactPathBeatsLongerPrefix() {
        let table = F.table([
            F.httpRoute("prefix", rules: "[\(rule("{path: {type: PathPrefix, value: /foo/bar/baz}}", to: "two"))]"),
            F.httpRoute("exact", rules: "[\(rule("{path: {type: Exact, value: /foo/bar/baz}}", to: "one"))]"),
        ])
        #expect(table.route(get("/foo/bar/baz"), key: "k").backendName == "one")
    }

    @Test func longestPathPrefixWins() {
        let table = F.table([
            F.httpRoute("short", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{path: {type: PathPrefix, value: /foo}}", to: "one"))]"),
            F.httpRoute("long", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {type: PathPrefix, value: /foo/bar}}", to: "two"))]"),
            F.httpRoute("root", rules: "[\(rule(to: "three"))]"),
        ])
        #expect(table.route(get("/foo/bar/baz"), key: "k").backendName == "two")
        #expect(table.route(get("/foo/bar"), key: "k").backendName == "two")
        #expect(table.route(get("/foo/baz"), key: "k").backendName == "one")
        #expect(table.route(get("/foo"), key: "k").backendName == "one")
        #expect(table.route(get("/other"), key: "k").backendName == "three")
    }

    @Test func pathPrefixMatchesWholeSegments() {
        // "the paths `/abc`, `/abc/`, and `/abc/def` would all match the prefix `/abc`, but the path `/abcd` would not."
        let table = F.table([
            F.httpRoute("abc", rules: "[\(rule("{path: {type: PathPrefix, value: /abc}}", to: "one"))]"),
            F.httpRoute("root", rules: "[\(rule(to: "two"))]"),
        ])
        for path in ["/abc", "/abc/", "/abc/def", "/abc?x=1", "/abc/def?x=1"] {
            #expect(table.route(get(path), key: "k").backendName == "one", "\(path)")
        }
        for path in ["/abcd", "/abcd/e", "/ab", "/xabc"] {
            #expect(table.route(get(path), key: "k").backendName == "two", "\(path)")
        }
    }

    @Test func pathPrefixWithTrailingSlashMatchesWithoutIt() {
        // "When specified, a trailing `/` is ignored."
        let table = F.table([
            F.httpRoute("abc", rules: "[\(rule("{path: {type: PathPrefix, value: /abc/}}", to: "one"))]"),
            F.httpRoute("root", rules: "[\(rule(to: "two"))]"),
        ])
        #expect(table.route(get("/abc"), key: "k").backendName == "one")
        #expect(table.route(get("/abc/"), key: "k").backendName == "one")
        #expect(table.route(get("/abc/x"), key: "k").backendName == "one")
        #expect(table.route(get("/abcd"), key: "k").backendName == "two")
    }

    // MARK: Method, headers, query parameters

    @Test func methodMatchBeatsNone() {
        let table = F.table([
            F.httpRoute("plain", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /foo}}", to: "one"))]"),
            F.httpRoute("post", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /foo}, method: POST}", to: "two"))]"),
        ])
        #expect(table.route(get("/foo", method: "POST"), key: "k").backendName == "two")
        #expect(table.route(get("/foo", method: "GET"), key: "k").backendName == "one")
        // The method token is case-sensitive (RFC 9110 §9.1): `post` is another method.
        #expect(table.route(get("/foo", method: "post"), key: "k").backendName == "one")
    }

    @Test func methodMatchOutranksHeaderCount() {
        // Method match comes before "Largest number of header matches" in the list.
        let table = F.table([
            F.httpRoute("headers", created: "2020-01-01T00:00:00Z",
                        rules: "[\(rule("{headers: [{name: a, value: '1'}, {name: b, value: '2'}]}", to: "one"))]"),
            F.httpRoute("method", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{method: GET}", to: "two"))]"),
        ])
        #expect(table.route(get("/", headers: [("a", "1"), ("b", "2")]), key: "k").backendName == "two")
    }

    @Test func longerPathOutranksMethod() {
        let table = F.table([
            F.httpRoute("method", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /foo}, method: GET}", to: "one"))]"),
            F.httpRoute("longer", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /foo/bar}}", to: "two"))]"),
        ])
        #expect(table.route(get("/foo/bar"), key: "k").backendName == "two")
    }

    @Test func moreHeaderMatchesWin() {
        let table = F.table([
            F.httpRoute("one-header", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{headers: [{name: x, value: '1'}]}", to: "one"))]"),
            F.httpRoute("two-headers", created: "2024-01-01T00:00:00Z",
                        rules: "[\(rule("{headers: [{name: x, value: '1'}, {name: y, value: '2'}]}", to: "two"))]"),
        ])
        #expect(table.route(get("/", headers: [("x", "1"), ("y", "2")]), key: "k").backendName == "two")
        #expect(table.route(get("/", headers: [("x", "1")]), key: "k").backendName == "one")
        #expect(table.route(get("/", headers: [("y", "2")]), key: "k").status == 404)
    }

    @Test func headerCountOutranksQueryCount() {
        let table = F.table([
            F.httpRoute("queries", created: "2020-01-01T00:00:00Z",
                        rules: "[\(rule("{queryParams: [{name: a, value: '1'}, {name: b, value: '2'}]}", to: "one"))]"),
            F.httpRoute("header", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{headers: [{name: x, value: '1'}]}", to: "two"))]"),
        ])
        #expect(table.route(get("/?a=1&b=2", headers: [("x", "1")]), key: "k").backendName == "two")
    }

    @Test func moreQueryParamMatchesWin() {
        let table = F.table([
            F.httpRoute("one-param", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{queryParams: [{name: a, value: '1'}]}", to: "one"))]"),
            F.httpRoute("two-params", created: "2024-01-01T00:00:00Z",
                        rules: "[\(rule("{queryParams: [{name: a, value: '1'}, {name: b, value: '2'}]}", to: "two"))]"),
        ])
        #expect(table.route(get("/?a=1&b=2"), key: "k").backendName == "two")
        #expect(table.route(get("/?b=2&a=1"), key: "k").backendName == "two")
        #expect(table.route(get("/?a=1"), key: "k").backendName == "one")
        #expect(table.route(get("/?a=2&b=2"), key: "k").status == 404)
    }

    @Test func headerNamesAreCaseInsensitive() {
        let table = F.table([F.httpRoute("h", rules: "[\(rule("{headers: [{name: X-Env, value: prod}]}", to: "one"))]")])
        #expect(table.route(get("/", headers: [("x-env", "prod")]), key: "k").backendName == "one")
        #expect(table.route(get("/", headers: [("X-ENV", "prod")]), key: "k").backendName == "one")
        // Values are not: Exact means exact.
        #expect(table.route(get("/", headers: [("x-env", "Prod")]), key: "k").status == 404)
    }

    @Test func queryParamNamesAreCaseSensitive() {
        // HTTPQueryParamMatch.name: "the query parameter name... MUST be exact string match (case-sensitive)".
        let table = F.table([F.httpRoute("q", rules: "[\(rule("{queryParams: [{name: Q, value: '1'}]}", to: "one"))]")])
        #expect(table.route(get("/?Q=1"), key: "k").backendName == "one")
        #expect(table.route(get("/?q=1"), key: "k").status == 404)
    }

    @Test func hostHeaderPortIsIgnored() {
        // "Implementations MUST ignore any port value specified in the HTTP Host header while performing
        // a match and ... MUST forward this header unmodified to the backend."
        let table = F.table([F.httpRoute("exact", hostnames: ["foo.example.com"], rules: "[\(rule(to: "one"))]")])
        let decision = table.route(get("/", host: "foo.example.com:8080"), key: "k")
        #expect(decision.backendName == "one")
        #expect(decision.request.host == "foo.example.com:8080")
    }

    // MARK: Route age, name, rule order

    @Test func oldestRouteWinsByCreationTimestamp() {
        let table = F.table([
            F.httpRoute("a-newer", created: "2024-01-02T00:00:00Z", rules: "[\(rule("{path: {value: /x}}", to: "one"))]"),
            F.httpRoute("b-older", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /x}}", to: "two"))]"),
        ])
        #expect(table.route(get("/x"), key: "k").winner == "b-older/0/0")
    }

    @Test func loadOrderStandsInForMissingTimestamps() {
        let table = F.table([
            F.httpRoute("z-loaded-first", rules: "[\(rule("{path: {value: /x}}", to: "one"))]"),
            F.httpRoute("a-loaded-second", rules: "[\(rule("{path: {value: /x}}", to: "two"))]"),
        ])
        #expect(table.route(get("/x"), key: "k").winner == "z-loaded-first/0/0")
    }

    @Test func equalAgeFallsBackToNamespaceSlashName() {
        let world = F.world([
            F.service("one", namespace: "alpha"),
            F.httpRoute("b", namespace: "default", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /x}}", to: "two"))]"),
            F.httpRoute("a", namespace: "default", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /x}}", to: "three"))]"),
            F.httpRoute("z", namespace: "alpha", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /x}}", to: "one"))]"),
        ])
        let decision = world.table.route(get("/x"), key: "k")
        // Equal timestamps: load order is no criterion of the spec, only "{namespace}/{name}" is.
        #expect(decision.route.map { "\($0.namespace)/\($0.name)" } == "alpha/z") // "alpha/z" < "default/a" < "default/b"
    }

    @Test func firstRuleInListOrderWinsTies() {
        let table = F.table([F.httpRoute("r", rules: "[\(rule("{path: {value: /x}}", to: "one")), \(rule("{path: {value: /x}}", to: "two"))]")])
        let decision = table.route(get("/x"), key: "k")
        #expect(decision.winner == "r/0/0")
        #expect(decision.backendName == "one")
    }

    @Test func laterMoreSpecificRuleBeatsEarlierRule() {
        // Precedence is "across all rules"; list order only breaks ties.
        let table = F.table([F.httpRoute("r", rules: "[\(rule("{path: {value: /}}", to: "one")), \(rule("{path: {value: /x}}", to: "two"))]")])
        #expect(table.route(get("/x/y"), key: "k").winner == "r/1/0")
    }

    @Test func ruleWithoutMatchesMatchesEverything() {
        let table = F.table([
            F.httpRoute("catchall", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("exact", rules: "[\(rule("{path: {type: Exact, value: /exact}}", to: "two"))]"),
        ])
        for path in ["/", "/anything", "/a/b/c?d=e"] {
            #expect(table.route(get(path), key: "k").backendName == "one", "\(path)")
        }
        #expect(table.route(get("/exact"), key: "k").backendName == "two")
        // And it behaves as PathPrefix / in precedence: any longer prefix beats it.
        let prefixed = F.table([
            F.httpRoute("catchall", created: "2020-01-01T00:00:00Z", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("p", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /p}}", to: "two"))]"),
        ])
        #expect(prefixed.route(get("/p/q"), key: "k").backendName == "two")
    }

    // MARK: Listener isolation

    static let threeListeners = Fixture.gateway(listeners: [
        "{name: any, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
        "{name: wild, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}",
        "{name: exact, port: 80, protocol: HTTP, hostname: foo.example.com, allowedRoutes: {namespaces: {from: All}}}",
        "{name: deeper, port: 80, protocol: HTTP, hostname: '*.bar.example.com', allowedRoutes: {namespaces: {from: All}}}",
    ])

    @Test func listenerSelectedByMostSpecificHostname() {
        let table = F.table([
            F.httpRoute("to-any", parent: "{name: gw, namespace: infra, sectionName: any}", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("to-wild", parent: "{name: gw, namespace: infra, sectionName: wild}", rules: "[\(rule(to: "two"))]"),
            F.httpRoute("to-exact", parent: "{name: gw, namespace: infra, sectionName: exact}", rules: "[\(rule(to: "three"))]"),
            F.httpRoute("to-deeper", parent: "{name: gw, namespace: infra, sectionName: deeper}", rules: "[\(rule(to: "four"))]"),
        ], gateway: Self.threeListeners)
        let foo = table.route(get("/", host: "foo.example.com"), key: "k")
        #expect(foo.listener?.name == "exact" && foo.backendName == "three")
        let other = table.route(get("/", host: "other.example.com"), key: "k")
        #expect(other.listener?.name == "wild" && other.backendName == "two")
        let deeper = table.route(get("/", host: "x.bar.example.com"), key: "k")
        #expect(deeper.listener?.name == "deeper" && deeper.backendName == "four")
        let none = table.route(get("/", host: "example.org"), key: "k")
        #expect(none.listener?.name == "any" && none.backendName == "one")
    }

    @Test func listenerIsolationDoesNotFallBackToLessSpecificListener() {
        // "if Listeners are defined for foo.example.com and *.example.com, a request to foo.example.com
        // SHOULD only be routed using routes attached to the foo.example.com Listener".
        let table = F.table([
            F.httpRoute("to-any", parent: "{name: gw, namespace: infra, sectionName: any}", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("to-wild", parent: "{name: gw, namespace: infra, sectionName: wild}", rules: "[\(rule(to: "two"))]"),
            F.httpRoute("to-exact", parent: "{name: gw, namespace: infra, sectionName: exact}",
                        rules: "[\(rule("{path: {type: Exact, value: /only}}", to: "three"))]"),
        ], gateway: Self.threeListeners)
        #expect(table.route(get("/only", host: "foo.example.com"), key: "k").backendName == "three")
        let isolated = table.route(get("/elsewhere", host: "foo.example.com"), key: "k")
        #expect(isolated.outcome == .error && isolated.status == 404)
        #expect(isolated.listener?.name == "exact")
    }

    @Test func routeWithoutParentSectionAttachesToEveryListenerButServesOnlyItsIntersection() {
        let table = F.table([
            F.httpRoute("all", hostnames: ["*.example.com"], rules: "[\(rule(to: "one"))]"),
        ], gateway: Self.threeListeners)
        // Listener `exact` (foo.example.com) gets the route with hostname foo.example.com.
        let foo = table.route(get("/", host: "foo.example.com"), key: "k")
        #expect(foo.listener?.name == "exact" && foo.backendName == "one")
        // Listener `any` only sees *.example.com; example.org matches nothing there.
        #expect(table.route(get("/", host: "example.org"), key: "k").status == 404)
    }

    // MARK: gRPC ("Characters in a matching service. Characters in a matching method. Header matches.")

    func grpc(_ path: String, headers: [(String, String)] = []) -> RouteRequest {
        get(path, method: "POST", headers: [("content-type", "application/grpc")] + headers)
    }

    @Test func grpcLongerServiceWins() {
        let table = F.table([
            F.grpcRoute("short", rules: "[{matches: [{method: {service: pkg.Svc}}], backendRefs: [{name: one, port: 80}]}]"),
            F.grpcRoute("long", rules: "[{matches: [{method: {service: pkg.v2.Svc}}], backendRefs: [{name: two, port: 80}]}]"),
            F.grpcRoute("regex", rules: "[{matches: [{method: {type: RegularExpression, service: 'pkg\\..*'}}], backendRefs: [{name: three, port: 80}]}]"),
        ])
        #expect(table.route(grpc("/pkg.Svc/Method"), key: "k").backendName == "one")
        #expect(table.route(grpc("/pkg.v2.Svc/Method"), key: "k").backendName == "two")
        #expect(table.route(grpc("/pkg.Other/Method"), key: "k").backendName == "three")
    }

    @Test func grpcMethodBreaksServiceTies() {
        let table = F.table([
            F.grpcRoute("service-only", rules: "[{matches: [{method: {service: pkg.Svc}}], backendRefs: [{name: one, port: 80}]}]"),
            F.grpcRoute("with-method", rules: "[{matches: [{method: {service: pkg.Svc, method: Method}}], backendRefs: [{name: two, port: 80}]}]"),
            F.grpcRoute("method-only", rules: "[{matches: [{method: {method: Method}}], backendRefs: [{name: three, port: 80}]}]"),
        ])
        #expect(table.route(grpc("/pkg.Svc/Method"), key: "k").backendName == "two")
        #expect(table.route(grpc("/pkg.Svc/Other"), key: "k").backendName == "one")
        #expect(table.route(grpc("/other.Svc/Method"), key: "k").backendName == "three")
        #expect(table.route(grpc("/other.Svc/Other"), key: "k").status == 404)
    }

    @Test func grpcMoreHeaderMatchesWin() {
        let table = F.table([
            F.grpcRoute("plain", rules: "[{matches: [{method: {service: pkg.Svc, method: Method}}], backendRefs: [{name: one, port: 80}]}]"),
            F.grpcRoute("header", rules: "[{matches: [{method: {service: pkg.Svc, method: Method}, headers: [{name: version, value: v2}]}], backendRefs: [{name: two, port: 80}]}]"),
        ])
        #expect(table.route(grpc("/pkg.Svc/Method", headers: [("Version", "v2")]), key: "k").backendName == "two")
        #expect(table.route(grpc("/pkg.Svc/Method"), key: "k").backendName == "one")
    }

    @Test func grpcRuleWithoutMatchesMatchesEveryGRPCRequest() {
        let table = F.table([
            F.grpcRoute("any", rules: "[{backendRefs: [{name: one, port: 80}]}]"),
            F.grpcRoute("svc", rules: "[{matches: [{method: {service: pkg.Svc}}], backendRefs: [{name: two, port: 80}]}]"),
        ])
        #expect(table.route(grpc("/a.B/C"), key: "k").backendName == "one")
        #expect(table.route(grpc("/pkg.Svc/C"), key: "k").backendName == "two")
    }

    // MARK: explain

    @Test func explainListsCandidatesWithReasons() {
        let table = F.table([
            F.httpRoute("exact", created: "2024-01-01T00:00:00Z", rules: "[\(rule("{path: {type: Exact, value: /foo}}", to: "one"))]"),
            F.httpRoute("prefix", created: "2020-01-01T00:00:00Z", rules: "[\(rule("{path: {value: /foo}}", to: "two"))]"),
            F.httpRoute("root", created: "2020-01-01T00:00:00Z", rules: "[\(rule(to: "three"))]"),
            F.httpRoute("root-newer", created: "2021-01-01T00:00:00Z", rules: "[\(rule(to: "four"))]"),
            F.httpRoute("other-path", rules: "[\(rule("{path: {value: /bar}}", to: "four"))]"),
        ])
        let decision = table.route(get("/foo"), key: "k", explain: true)
        #expect(decision.backendName == "one")
        let byName = Dictionary(decision.candidates.map { ($0.rule.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(decision.candidates.count == 4, "\(decision.candidates.map { "\($0.rule) \($0.lostBecause ?? "-")" })")
        #expect(decision.candidates.first?.rule.name == "exact")
        #expect(byName["exact"]?.lostBecause == nil)
        #expect(byName["prefix"]?.lostBecause?.contains("Exact") == true)
        #expect(byName["root"]?.lostBecause?.contains("Exact") == true)
        #expect(byName["other-path"] == nil) // did not match the request at all
        // Among the losers, the order is the precedence order: /foo before the two roots, older root first.
        #expect(decision.candidates.map(\.rule.name) == ["exact", "prefix", "root", "root-newer"])
        // Without explain, no candidates are computed.
        #expect(table.route(get("/foo"), key: "k").candidates.isEmpty)
    }

    @Test func explainNamesAgeAndHostnameReasons() {
        let table = F.table([
            F.httpRoute("old", hostnames: ["*.example.com"], created: "2020-01-01T00:00:00Z", rules: "[\(rule(to: "one"))]"),
            F.httpRoute("new", hostnames: ["*.example.com"], created: "2024-01-01T00:00:00Z", rules: "[\(rule(to: "two"))]"),
            F.httpRoute("exact", hostnames: ["foo.example.com"], rules: "[\(rule("{path: {value: /foo}}", to: "three"))]"),
        ])
        let wild = table.route(get("/", host: "bar.example.com"), key: "k", explain: true)
        #expect(wild.backendName == "one")
        #expect(wild.candidates.first { $0.rule.name == "new" }?.lostBecause?.contains("older") == true)
        let exact = table.route(get("/foo", host: "foo.example.com"), key: "k", explain: true)
        #expect(exact.backendName == "three")
        let lostOnHost = exact.candidates.filter { $0.rule.name != "exact" }
        #expect(lostOnHost.count == 2)
        #expect(lostOnHost.allSatisfy { $0.lostBecause?.contains("hostname") == true })
    }
}

import GatewayAPI
import RoutingCore
import Testing

/// The flat hot-path index must give exactly the decisions of the object path.
/// `route(..., explain: true)` always takes the object path, so every request of
/// a varied world is routed both ways and compared (explanations removed).
@Suite struct FlatIndexTests {
    typealias F = Fixture

    static let listeners = [
        "{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
        "{name: wild, port: 80, protocol: HTTP, hostname: \"*.wild.test\", allowedRoutes: {namespaces: {from: All}}}",
        "{name: exact, port: 80, protocol: HTTP, hostname: \"a.wild.test\", allowedRoutes: {namespaces: {from: All}}}",
        "{name: other, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
    ]

    static let routes = [
        F.httpRoute("paths", hostnames: ["example.com", "mixed.example.com"], created: "2020-01-01T00:00:00Z", rules: """
            [\(rule("{path: {type: Exact, value: /exact}}", to: "one")),
             \(rule("{path: {type: PathPrefix, value: /api/}}, {path: {type: PathPrefix, value: /api/v2}, method: POST}", to: "two")),
             \(rule("{path: {type: PathPrefix, value: /api}, headers: [{name: X-Tenant, value: blue}]}", to: "three")),
             \(rule("{path: {type: RegularExpression, value: \"/re/[0-9]+\"}}", to: "four")),
             \(rule("{path: {type: PathPrefix, value: /q}, queryParams: [{name: v, value: \"1\"}]}", to: "whoami")),
             \(rule("{path: {type: PathPrefix, value: /h}, headers: [{name: x-re, type: RegularExpression, value: \"^a.*\"}]}", to: "nginx")),
             \(rule("{path: {type: PathPrefix, value: /multi}, headers: [{name: X-Multi, value: \"a,b\"}]}", to: "one"))]
            """),
        F.httpRoute("younger", hostnames: ["example.com"], created: "2021-01-01T00:00:00Z", rules: """
            [\(rule("{path: {type: PathPrefix, value: /api}}", to: "four")), \(rule("{path: {type: Exact, value: /exact}}", to: "three"))]
            """),
        F.httpRoute("wild", hostnames: ["*.wild.test", "*.b.wild.test"], rules: "[\(rule(to: "one"))]"),
        F.httpRoute("any", rules: "[\(rule("{path: {type: PathPrefix, value: /}}", to: "two"))]"),
        F.httpRoute("split", hostnames: ["split.test"], rules: """
            [{backendRefs: [{name: one, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}]}]
            """),
        // Three backends: the verdict reads them from the table, not from the match.
        // The first two have the same weight and validity (TablePairTests swaps them).
        F.httpRoute("triple", hostnames: ["triple.test"], rules: """
            [{backendRefs: [{name: one, port: 80, weight: 1}, {name: two, port: 80, weight: 1}, {name: missing, port: 80, weight: 2}]}]
            """),
        F.httpRoute("sole", hostnames: ["sole.test"], rules: """
            [{matches: [{path: {type: PathPrefix, value: /zero}}], backendRefs: [{name: one, port: 80, weight: 0}]},
             {matches: [{path: {type: PathPrefix, value: /missing}}], backendRefs: [{name: missing, port: 80}]},
             {matches: [{path: {type: PathPrefix, value: /one}}], backendRefs: [{name: one, port: 80}]}]
            """),
        F.httpRoute("filters", hostnames: ["filters.test"], rules: """
            [{matches: [{path: {type: PathPrefix, value: /old}}], filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}], backendRefs: [{name: one, port: 80}]},
             {matches: [{path: {type: PathPrefix, value: /go}}], filters: [{type: RequestRedirect, requestRedirect: {hostname: elsewhere.test}}]}]
            """),
        // Exact and PathPrefix paths longer than the others (8, 16 and 20 bytes).
        // Last: TablePairTests edits routes by position.
        F.httpRoute("long", hostnames: ["example.com"], rules: """
            [\(rule("{path: {type: Exact, value: /exactly-16-byte}}, {path: {type: Exact, value: /eight/8}}", to: "two")),
             \(rule("{path: {type: PathPrefix, value: /a-long-prefix/of-two}}", to: "one")),
             \(rule("{path: {type: Exact, value: /a-long-exact-path/x}}", to: "three"))]
            """),
    ]

    static let hosts = ["example.com", "EXAMPLE.com", "example.com:80", "mixed.example.com", "a.wild.test", "x.wild.test",
                        "y.b.wild.test", "wild.test", "split.test", "triple.test", "sole.test", "filters.test", "nowhere.test", "[::1]:80", "example.com."]
    static let paths = ["/", "/exact", "/exact/", "/exactly", "/api", "/api/", "/api/v2", "/api/v2/x", "/api/v20", "/apix",
                        "/re/42", "/re/x", "/q?v=1", "/q?v=2", "/q/z?x=1&v=1", "/h", "/old/a?b=c", "/go/x", "//", "/a//b", "/multi", "/zero", "/missing", "/one",
                        "/exactly-16-byte", "/exactly-16-bytes", "/exactly-16-byt", "/eight/8", "/eight/9", "/eight/",
                        "/a-long-prefix/of-two", "/a-long-prefix/of-two/x", "/a-long-prefix/of-twox", "/a-long-prefix/of-tw",
                        "/a-long-exact-path/x", "/a-long-exact-path/y", "/a-long-exact-path/x/"]
    static let headerSets: [[(String, String)]] = [[], [("x-tenant", "blue")], [("X-Tenant", "red")],
                                                  [("x-tenant", "blue"), ("x-tenant", "blue")], [("X-RE", "abc")],
                                                  [("x-tenant", "bl")], [("x-multi", "a"), ("X-Multi", "b")], [("x-multi", "a")]]

    @Test func flatIndexAgreesWithObjectPath() {
        let table = F.table(Self.routes, gateway: F.gateway(listeners: Self.listeners))
        var compared = 0
        var independent = 0
        for host in Self.hosts {
            for path in Self.paths {
                for (index, headers) in Self.headerSets.enumerated() {
                    for (method, port) in [("GET", 80), ("POST", 80), ("get", 80), ("GET", 8080), ("GET", 81)] {
                        let request = get(path, host: host, method: method, headers: headers, port: port)
                        let key = "k-\(compared)-\(index)"
                        var slow = table.route(request, key: key, explain: true)
                        slow.candidates = []
                        let fast = table.route(request, key: key)
                        #expect(fast == slow, "\(method) \(host)\(path) \(headers) port \(port)")
                        let verdict = table.verdict(request, key: key)
                        #expect(Self.borrowedVerdict(table, request, key: key) == verdict, "in place: \(method) \(host)\(path) \(headers)")
                        #expect(table.decision(for: verdict, request: request, key: key) == fast)
                        #expect(verdict.outcome == fast.outcome && verdict.status == (fast.status ?? 0)
                                && table.rule(of: verdict) == fast.route && table.backend(of: verdict) == fast.backend,
                                "verdict of \(method) \(host)\(path)")
                        if table.isRequestIndependent(verdict) {
                            independent += 1
                            #expect(fast.redirect == nil && fast.cors == nil && fast.request.host == request.host && fast.request.path == request.path,
                                    "request-independent verdict of \(method) \(host)\(path)")
                        }
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == Self.hosts.count * Self.paths.count * Self.headerSets.count * 5)
        #expect(independent > 0 && independent < compared)
    }

    @Test func namedGatewayAndHTTPSAgree() {
        let https = [
            "{name: https, port: 443, protocol: HTTPS, hostname: \"*.secure.test\", tls: {certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}",
        ]
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata: {name: cert, namespace: infra}
            type: kubernetes.io/tls
            data: {tls.crt: "", tls.key: ""}
            """
        let table = F.table([secret, F.httpRoute("s", hostnames: ["a.secure.test"], rules: "[\(rule(to: "one"))]")],
                            gateway: F.gateway(listeners: https))
        for (host, sni) in [("a.secure.test", "a.secure.test"), ("a.secure.test", nil), ("b.secure.test", "a.secure.test"),
                            ("A.secure.test", "a.secure.test")] as [(String, String?)] {
            for gateway in [nil, ObjectKey(kind: "Gateway", namespace: "infra", name: "gw"), ObjectKey(kind: "Gateway", namespace: "infra", name: "no")] {
                let request = RouteRequest(gateway: gateway, port: 443, scheme: "https", host: host, path: "/", sni: sni)
                var slow = table.route(request, key: "k", explain: true)
                slow.candidates = []
                #expect(table.route(request, key: "k") == slow, "\(host) sni \(sni ?? "-") gateway \(gateway?.name ?? "-")")
                #expect(Self.borrowedVerdict(table, request, key: "k") == table.verdict(request, key: "k"))
            }
        }
    }

    /// The verdict of `request` read in place, from one buffer holding all its bytes.
    static func borrowedVerdict(_ table: RoutingTable, _ request: RouteRequest, key: String) -> RouteVerdict {
        borrowed(request, key: key) { table.verdict($0, key: $1) }
    }

    /// `body` given `request` read in place and `key` as UTF-8, from one buffer holding all their bytes.
    static func borrowed<T>(_ request: RouteRequest, key: String, _ body: (BorrowedRequest, UnsafeBufferPointer<UInt8>) -> T) -> T {
        var bytes: [UInt8] = []
        func add(_ text: String) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: text.utf8)
            return start..<bytes.count
        }
        let method = add(request.method), host = add(request.host), path = add(request.path), keyRange = add(key)
        let sni = request.sni.map(add)
        let headers = request.headers.map { (add($0.name), add($0.value)) }
        let gateway = UnsafeMutablePointer<ObjectKey>.allocate(capacity: 1)
        defer { gateway.deallocate() }
        if let key = request.gateway { gateway.initialize(to: key) }
        defer { if request.gateway != nil { gateway.deinitialize(count: 1) } }
        return bytes.withUnsafeBufferPointer { all in
            func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: all[range]) }
            return headers.map { BorrowedHeader(name: slice($0.0), value: slice($0.1)) }.withUnsafeBufferPointer { borrowedHeaders in
                let borrowed = BorrowedRequest(gateway: request.gateway == nil ? nil : UnsafePointer(gateway), port: request.port, isHTTPS: request.scheme == "https",
                                               method: slice(method), host: slice(host), target: slice(path),
                                               headers: borrowedHeaders, sni: sni.map(slice))
                return body(borrowed, slice(keyRange))
            }
        }
    }
}

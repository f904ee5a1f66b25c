import GatewayAPI
@testable import RoutingCore
import Testing

/// The flat index, the in-place view and the staged batch lookup must decide exactly as
/// the object path does, on worlds nobody wrote by hand: listeners, hostnames, matches,
/// filters and weights drawn by a seeded generator from small vocabularies that collide
/// (prefixes of each other, wildcards over exact names, equal creation times), and
/// requests drawn from the same words. FlatIndexTests checks one world written to cover
/// each case; this checks the combinations.
@Suite struct RandomWorldTests {
    typealias F = Fixture

    static let worlds = 40
    static let requestsPerWorld = 400

    static let listenerHostnames = [nil, nil, nil, "*.a.test", "x.a.test", "b.test", "*.test"]
    static let routeHostnames = ["a.test", "x.a.test", "*.a.test", "*.x.a.test", "b.test", "y.b.test", "*.test", "c.test"]
    static let paths = ["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/b", "/a/bc", "/api/v1", "/api"]
    static let requestHosts = ["a.test", "x.a.test", "y.x.a.test", "z.a.test", "b.test", "y.b.test", "c.test", "d.test",
                               "A.TEST", "x.a.test:80", "b.test:8080", "a.test.", "[::1]", "test"]
    static let requestPaths = ["/", "/a", "/a/", "/a/b", "/a/b/", "/a/b/c", "/a/bc", "/ab", "/abc", "/b", "/b/", "/api",
                               "/api/v1", "/api/v1/x", "/api/v10", "/a/7", "/a/b?x=1", "/a?q=2", "/c", "//a", "/a//b"]

    @Test func everyLookupDecidesAsTheObjectPath() {
        var random = SplitMix(seed: 0x7261_6e64_6f6d_7731)
        var compared = 0, forwarded = 0
        for world in 0..<Self.worlds {
            let documents = Self.world(&random)
            let loaded = Loader.load(text: documents.joined(separator: "\n---\n"), file: "world-\(world).yaml", firstLoadOrder: 0)
            let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
            #expect(errors.isEmpty, "world \(world) is not one the API server would take")
            let table = Compiler.compile(loaded.resources).table
            var requests: [RouteRequest] = []
            for _ in 0..<Self.requestsPerWorld {
                requests.append(Self.request(&random))
            }
            let keys = requests.indices.map { "w\(world)-\($0)" }
            for (request, key) in zip(requests, keys) {
                var slow = table.route(request, key: key, explain: true)
                slow.candidates = []
                let fast = table.route(request, key: key)
                let what = "world \(world): \(request.method) \(request.host)\(request.path) \(request.headers) port \(request.port)\n\(documents.joined(separator: "\n---\n"))"
                #expect(fast == slow, "\(what)")
                let verdict = table.verdict(request, key: key)
                #expect(FlatIndexTests.borrowedVerdict(table, request, key: key) == verdict, "in place: \(what)")
                #expect(table.decision(for: verdict, request: request, key: key) == fast, "rendered: \(what)")
                compared += 1
                if fast.outcome == .forward { forwarded += 1 }
            }
            let batch = BorrowedBatch(requests, keys: keys)
            var seen = 0
            batch.withRequests { borrowed, borrowedKeys in
                table.verdicts(borrowed, key: { borrowedKeys[$0] }, staged: true) { index, verdict in
                    #expect(verdict == table.verdict(requests[index], key: keys[index]), "batched: world \(world), request \(index)")
                    seen += 1
                }
            }
            #expect(seen == requests.count)
        }
        // The vocabularies make requests that land and requests that do not.
        #expect(forwarded > compared / 20 && forwarded < compared / 2, "\(forwarded) of \(compared) forwarded")
    }

    /// Replay's pair of tables answers each request as the two tables do, whatever one
    /// edit of a random world changed (TablePairTests has the edits written by hand).
    @Test func aPairOfTablesAnswersAsEachTable() {
        var random = SplitMix(seed: 0x7061_6972_6564_7731)
        var twins = 0
        for world in 0..<Self.worlds {
            let documents = Self.world(&random)
            var edited = documents
            let routes = edited.indices.filter { edited[$0].contains("kind: HTTPRoute") }
            let target = routes[random.below(routes.count)]
            switch random.below(4) {
            case 0: edited.remove(at: target)
            case 1: edited.append(Self.route("added", &random))
            case 2: edited[target] = Self.route(String(edited[target].split(separator: "name: ")[1].prefix { $0 != "," }), &random)
            default:
                // One rule's backends drawn again: weights and validity move, matches stay.
                edited[target] = edited[target].replacingOccurrences(of: "weight: 1}", with: "weight: 2}")
            }
            func table(_ documents: [String]) -> RoutingTable {
                Compiler.compile(Loader.load(text: documents.joined(separator: "\n---\n"), file: "w.yaml", firstLoadOrder: 0).resources).table
            }
            let baseline = table(documents), candidate = table(edited)
            let pair = TablePair(baseline: baseline, candidate: candidate)
            twins += pair.twinVirtualHosts
            for index in 0..<Self.requestsPerWorld {
                let request = Self.request(&random), key = "p\(world)-\(index)"
                let expected = (baseline.verdict(request, key: key), candidate.verdict(request, key: key))
                let what = "world \(world): \(request.method) \(request.host)\(request.path) \(request.headers) port \(request.port)"
                #expect(pair.verdicts(request, key: key) == expected, "\(what)")
                #expect(FlatIndexTests.borrowed(request, key: key) { pair.verdicts($0, key: $1) } == expected, "in place: \(what)")
                let independent = FlatIndexTests.borrowed(request, key: key) { pair.independentWords($0, key: $1) }
                let readsNothing = baseline.isRequestIndependent(expected.0) && candidate.isRequestIndependent(expected.1)
                #expect(independent.map { [RouteVerdict(words: $0.before), RouteVerdict(words: $0.after)] }
                            == (readsNothing ? [expected.0, expected.1] : nil), "independent: \(what)")
            }
        }
        // Edits leave most virtual hosts alone: the pair takes the shortcut it exists for.
        #expect(twins > Self.worlds, "\(twins) twin virtual hosts")
    }

    /// Every route has a creation time, and ties go by namespace and name (the API's
    /// rule): the order documents are read in then changes no status and no decision.
    @Test func theOrderOfTheDocumentsChangesNothing() {
        var random = SplitMix(seed: 0x6f72_6465_7277_7731)
        for world in 0..<Self.worlds {
            let documents = Self.world(&random)
            var shuffled = documents
            for index in shuffled.indices.reversed() { shuffled.swapAt(index, random.below(index + 1)) }
            func compile(_ documents: [String]) -> CompiledWorld {
                Compiler.compile(Loader.load(text: documents.joined(separator: "\n---\n"), file: "w.yaml", firstLoadOrder: 0).resources)
            }
            let original = compile(documents), reordered = compile(shuffled)
            #expect(original.status == reordered.status, "world \(world)")
            for index in 0..<Self.requestsPerWorld / 4 {
                let request = Self.request(&random), key = "o\(world)-\(index)"
                #expect(original.table.route(request, key: key) == reordered.table.route(request, key: key),
                        "world \(world): \(request.method) \(request.host)\(request.path) port \(request.port)")
            }
        }
    }

    // MARK: drawing a world

    static func world(_ random: inout SplitMix) -> [String] {
        var documents = [F.gatewayClass, gateway("gw", namespace: "infra", &random)] + F.services
        // A second Gateway, sometimes on the same port (then it is the object path's to decide).
        if random.below(3) == 0 { documents.append(gateway("gw2", namespace: "other", &random)) }
        for index in 0..<(2 + random.below(6)) { documents.append(route("r\(index)", &random)) }
        documents += ["one", "two", "three"].map { F.service($0, namespace: "other") }
        if random.below(2) == 0 {
            documents.append("""
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: grant, namespace: default}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other}]
                  to: [{group: "", kind: Service}]
                """)
        }
        return documents
    }

    /// A Gateway with up to three listeners, each allowing routes from all namespaces or
    /// (one in eight) only its own; created at a fixed time, so no order decides between two.
    static func gateway(_ name: String, namespace: String, _ random: inout SplitMix) -> String {
        var listeners: [String] = []
        var taken = Set<String>()
        for index in 0...random.below(3) {
            let port = random.below(3) == 0 ? 8080 : 80
            let hostname = listenerHostnames[random.below(listenerHostnames.count)].map { ", hostname: \"\($0)\"" } ?? ""
            // Port and hostname unique, or the Gateway is refused.
            guard taken.insert("\(port)\(hostname)").inserted else { continue }
            let from = random.below(8) == 0 ? "Same" : "All"
            listeners.append("{name: l\(index), port: \(port), protocol: HTTP\(hostname), allowedRoutes: {namespaces: {from: \(from)}}}")
        }
        return F.gateway(name: name, namespace: namespace, listeners: listeners)
            .replacingOccurrences(of: "namespace: \(namespace)}", with: "namespace: \(namespace), creationTimestamp: \"2019-01-0\(name == "gw" ? 1 : 2)T00:00:00Z\"}")
    }

    static func route(_ name: String, _ random: inout SplitMix) -> String {
        var hostnames: [String] = []
        for _ in 0..<random.below(3) { hostnames.append(routeHostnames[random.below(routeHostnames.count)]) }
        let created = "2020-01-0\(1 + random.below(3))T00:00:00Z"  // ties: then by namespace and name
        let rules = (0...random.below(3)).map { _ in rule(&random) }
        let parents = ["{name: gw, namespace: infra}", "{name: gw, namespace: infra, sectionName: l0}", "{name: gw, namespace: infra, sectionName: l1}",
                       "{name: gw, namespace: infra, port: 8080}", "{name: gw2, namespace: other}",
                       "{name: gw, namespace: infra}, {name: gw2, namespace: other}"]
        return F.httpRoute(name, namespace: random.below(3) == 0 ? "other" : "default", hostnames: Array(Set(hostnames)).sorted(),
                           created: created, parent: random.below(2) == 0 ? parents[0] : parents[random.below(parents.count)],
                           rules: "[" + rules.joined(separator: ", ") + "]")
    }

    static func rule(_ random: inout SplitMix) -> String {
        var matches: [String] = []
        var prefixOnly = true
        for _ in 0..<random.below(3) {
            var parts: [String] = []
            let path = paths[random.below(paths.count)]
            switch random.below(4) {
            case 0: parts.append("path: {type: Exact, value: \"\(path)\"}"); prefixOnly = false
            case 1: parts.append("path: {type: RegularExpression, value: \"\(path)[0-9a-z/]*\"}"); prefixOnly = false
            default: parts.append("path: {type: PathPrefix, value: \"\(path)\"}")
            }
            if random.below(4) == 0 { parts.append("method: \(["GET", "POST"][random.below(2)])") }
            switch random.below(6) {
            case 0: parts.append("headers: [{name: X-T, value: blue}]")
            case 1: parts.append("headers: [{name: x-t, type: RegularExpression, value: \"^b\"}]")
            case 2: parts.append("queryParams: [{name: x, value: \"1\"}]")
            default: break
            }
            matches.append("{" + parts.joined(separator: ", ") + "}")
        }
        if matches.isEmpty { prefixOnly = true }
        var fields: [String] = []
        if !matches.isEmpty { fields.append("matches: [\(matches.joined(separator: ", "))]") }
        switch random.below(8) {
        case 0 where prefixOnly && matches.count == 1:
            fields.append("filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}]")
        case 1:
            fields.append("filters: [{type: RequestRedirect, requestRedirect: {hostname: moved.test, statusCode: 301}}]")
            return "{" + fields.joined(separator: ", ") + "}"
        case 2:
            fields.append("filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Set, value: v}]}}]")
        default: break
        }
        // Mostly backends that resolve; some missing, some in another namespace, some weighted 0.
        let backends = (0...random.below(3)).map { _ in
            let namespace = ["", "", "", "", ", namespace: default", ", namespace: other"][random.below(6)]
            let weight = random.below(6) == 0 ? 0 : 1 + random.below(3)
            return "{name: \(["one", "two", "three", "one", "two", "missing"][random.below(6)])\(namespace), port: 80, weight: \(weight)}"
        }
        fields.append("backendRefs: [\(backends.joined(separator: ", "))]")
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func request(_ random: inout SplitMix) -> RouteRequest {
        let headers: [(String, String)] = [[], [("X-T", "blue")], [("x-t", "black")], [("x-t", "red")]][random.below(4)]
        var path = requestPaths[random.below(requestPaths.count)]
        if random.below(5) == 0 { path += "?x=1" }
        return get(path, host: requestHosts[random.below(requestHosts.count)], method: ["GET", "GET", "POST", "get"][random.below(4)],
                   headers: headers, port: random.below(4) == 0 ? 8080 : 80)
    }
}

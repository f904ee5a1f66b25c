@testable import RoutingCore
import Testing

/// A TablePair must answer exactly as routing in each table does, whatever
/// the candidate changed; and it must actually pair the virtual hosts a
/// change left alone (else replay routes everything twice).
@Suite struct TablePairTests {
    typealias F = Fixture
    typealias Grid = FlatIndexTests

    /// A candidate world: FlatIndexTests' routes with one edit, and how many
    /// of the baseline's virtual hosts keep a twin.
    struct Variant {
        var name: String
        var routes: [String]
        var listeners = Grid.listeners
        /// nil: all of them.
        var twins: Int?
        /// Whether some request of the grid gets another rule, backend or status.
        var changesAnswers = true
    }

    static let variants: [Variant] = {
        let routes = Grid.routes
        func edited(_ index: Int, _ from: String, _ to: String) -> [String] {
            var copy = routes
            precondition(copy[index].contains(from))
            copy[index] = copy[index].replacingOccurrences(of: from, with: to)
            return copy
        }
        return [
            Variant(name: "recompiled unchanged", routes: routes),
            Variant(name: "canary weights", routes: edited(4, "weight: 3", "weight: 1"), twins: nil),
            Variant(name: "header regex", routes: edited(0, "\"^a.*\"", "\"^b.*\""), twins: nil),
            // Same weights and validity position by position, other backends: only the race seeds tell.
            Variant(name: "triple reordered", routes: edited(5, "{name: one, port: 80, weight: 1}, {name: two, port: 80, weight: 1}",
                                                             "{name: two, port: 80, weight: 1}, {name: one, port: 80, weight: 1}"),
                    twins: nil, changesAnswers: false),
            Variant(name: "split reordered", routes: edited(4, "{name: one, port: 80, weight: 3}, {name: missing, port: 80, weight: 1}",
                                                            "{name: missing, port: 80, weight: 1}, {name: one, port: 80, weight: 3}"),
                    twins: nil, changesAnswers: false),
            Variant(name: "split backend renamed", routes: edited(4, "{name: missing, port: 80, weight: 1}", "{name: absent, port: 80, weight: 1}"),
                    twins: nil),
            Variant(name: "rule added on example.com", routes: edited(1, "[\(rule("{path: {type: PathPrefix, value: /api}}", to: "four")),",
                                                                       "[\(rule("{path: {type: Exact, value: /api/v2/x}}", to: "one")), \(rule("{path: {type: PathPrefix, value: /api}}", to: "four")),")),
            Variant(name: "exact host shadows a wildcard", routes: routes + [F.httpRoute("shadow", hostnames: ["x.wild.test"], rules: "[\(rule(to: "two"))]")], twins: 0),
            Variant(name: "listener added", routes: routes,
                    listeners: Grid.listeners + ["{name: extra, port: 9090, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"], twins: 0),
        ]
    }()

    @Test(arguments: variants.indices)
    func pairAnswersAsEachTable(_ index: Int) {
        let variant = Self.variants[index]
        let baseline = F.table(Grid.routes, gateway: F.gateway(listeners: Grid.listeners))
        let candidate = F.table(variant.routes, gateway: F.gateway(listeners: variant.listeners))
        let pair = TablePair(baseline: baseline, candidate: candidate)
        let hosts = baseline.flat.virtualHosts.count
        if let twins = variant.twins {
            #expect(pair.twinVirtualHosts == twins, "\(variant.name)")
        } else if index == 0 {
            #expect(pair.twinVirtualHosts == hosts, "\(variant.name)")
        } else {
            #expect(pair.twinVirtualHosts > 0 && pair.twinVirtualHosts < hosts, "\(variant.name): \(pair.twinVirtualHosts) of \(hosts)")
        }
        var differing = 0
        for host in Grid.hosts {
            for path in Grid.paths {
                for headers in Grid.headerSets {
                    for (method, port) in [("GET", 80), ("POST", 80), ("GET", 8080), ("GET", 9090)] {
                        let request = get(path, host: host, method: method, headers: headers, port: port)
                        let key = "\(host)\(path)"
                        let expected = (baseline.verdict(request, key: key), candidate.verdict(request, key: key))
                        let paired = pair.verdicts(request, key: key)
                        #expect(paired == expected, "\(variant.name): \(method) \(host)\(path) \(headers) port \(port)")
                        let inPlace = Grid.borrowed(request, key: key) { pair.verdicts($0, key: $1) }
                        #expect(inPlace == expected, "\(variant.name), in place: \(method) \(host)\(path) \(headers) port \(port)")
                        // As replay asks: with the Host's hash, which the lookup then takes as its own.
                        let independent = Grid.borrowed(request, key: key) { borrowed, key in
                            var hashed = borrowed
                            hashed.hostHash = ByteHash.host(borrowed.host)
                            return pair.independentWords(hashed, key: key)
                        }
                        let readsNothing = baseline.isRequestIndependent(expected.0) && candidate.isRequestIndependent(expected.1)
                        #expect(independent.map { [RouteVerdict(words: $0.before), RouteVerdict(words: $0.after)] }
                                    == (readsNothing ? [expected.0, expected.1] : nil),
                                "\(variant.name), independent: \(method) \(host)\(path) \(headers) port \(port)")
                        let (b, c) = expected
                        if baseline.rule(of: b) != candidate.rule(of: c) || baseline.backend(of: b) != candidate.backend(of: c)
                            || b.outcome != c.outcome || b.status != c.status { differing += 1 }
                    }
                }
            }
        }
        // Every edit that changes answers changes some in the grid: the grid reaches it.
        #expect((differing == 0) == (index == 0 || !variant.changesAnswers), "\(variant.name): \(differing) requests answered differently")
    }

    @Test func sameTableIsItsOwnTwin() {
        let table = F.table(Grid.routes, gateway: F.gateway(listeners: Grid.listeners))
        let pair = TablePair(baseline: table, candidate: table)
        let request = get("/api/v2", host: "example.com", method: "POST")
        let (before, after) = pair.verdicts(request, key: "k")
        #expect(before == after && before == table.verdict(request, key: "k"))
    }
}

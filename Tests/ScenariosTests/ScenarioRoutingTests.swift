// Routes the generated traffic of every shipped scenario through the routing core.
import EventLog
import GatewayAPI
import RoutingCore
import Scenarios
import Testing

/// The traffic of each shipped scenario mostly routes in its baseline, and the candidates do
/// what their scenarios say they do.
@Suite struct ScenarioRoutingTests {
    struct Outcome {
        var total = 0
        var notFound = 0
        var byBackend: [String: Int] = [:]
        var byPath: [String: (total: Int, notFound: Int)] = [:]
        func share(_ backend: String) -> Double { Double(byBackend[backend] ?? 0) / Double(max(1, total)) }
    }

    static func route(_ name: String, withCandidate: Bool = false, requests: Int = 4000,
                      watch: (RequestRecord, Decision) -> Void = { _, _ in }) throws -> Outcome {
        let scenario = try ScenarioParser.load(path: TestSupport.scenarios + "/\(name).yaml")
        let loaded = Loader.load(paths: scenario.manifests + (withCandidate ? scenario.candidate : []))
        #expect(!loaded.hasErrors)
        let table = Compiler.compile(loaded.resources).table
        var outcome = Outcome()
        for event in try ScenarioEvents(scenario: scenario, seed: 1, requests: requests) {
            guard let r = event.request else { continue }
            let gateway = r.gateway.map { g in
                let parts = g.split(separator: "/")
                return ObjectKey(kind: "Gateway", namespace: String(parts[0]), name: String(parts[1]))
            }
            let request = RouteRequest(gateway: gateway, port: r.port, scheme: r.scheme, method: r.method, host: r.host, path: r.path,
                                       headers: r.headers, sni: r.sni)
            let decision = table.route(request, key: r.id)
            watch(r, decision)
            outcome.total += 1
            let path = String(r.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
            var perPath = outcome.byPath[path] ?? (0, 0)
            perPath.total += 1
            if decision.status == 404 { outcome.notFound += 1; perPath.notFound += 1 }
            outcome.byPath[path] = perPath
            if let backend = decision.backend { outcome.byBackend["\(backend.namespace)/\(backend.name)", default: 0] += 1 }
        }
        return outcome
    }

    @Test(arguments: ShippedScenarioTests.names) func baselineMostlyRoutes(_ name: String) throws {
        let outcome = try Self.route(name)
        #expect(outcome.total == 4000)
        #expect(Double(outcome.notFound) / Double(outcome.total) < 0.10, "\(name): \(outcome.notFound) of \(outcome.total) got 404")
    }

    @Test func seedPathCandidateBreaksRoot() throws {
        let before = try Self.route("seed-path")
        let after = try Self.route("seed-path", withCandidate: true)
        #expect(before.byPath["/"]?.notFound == 0)
        #expect(after.byPath["/"].map { $0.notFound == $0.total && $0.total > 3000 } == true)
        #expect(after.byPath["/foo"]?.notFound == 0)
    }

    @Test func seedCanaryMovesToHalf() throws {
        let before = try Self.route("seed-canary")
        let after = try Self.route("seed-canary", withCandidate: true)
        #expect(abs(before.share("kube-system/whoami") - 0.75) < 0.03)
        #expect(abs(after.share("kube-system/whoami") - 0.5) < 0.03)
        #expect(before.notFound == 0 && after.notFound == 0)
    }

    @Test func multiTenantTakeoverMovesDeals() throws {
        var moved: [String: String] = [:]
        _ = try Self.route("multi-tenant") { r, d in
            if r.host == "shop.example.com", r.path.hasPrefix("/api/deals") { moved[r.id] = d.backend.map { "\($0.namespace)/\($0.name)" } }
        }
        var after: [String: String] = [:]
        _ = try Self.route("multi-tenant", withCandidate: true) { r, d in
            if r.host == "shop.example.com", r.path.hasPrefix("/api/deals") { after[r.id] = d.backend.map { "\($0.namespace)/\($0.name)" } }
        }
        #expect(moved.count > 50)
        #expect(Set(moved.values) == ["shop/catalog-api"])
        #expect(Set(after.values) == ["blog/blog-api"])
    }

    @Test func largeCandidateChangesSomething() throws {
        var before: [String: String] = [:]
        _ = try Self.route("large", requests: 20_000) { r, d in before[r.id] = d.route.map { "\($0)" } ?? "404" }
        var changed = 0
        _ = try Self.route("large", withCandidate: true, requests: 20_000) { r, d in
            if before[r.id] != (d.route.map { "\($0)" } ?? "404") { changed += 1 }
        }
        #expect(changed > 0)
    }
}

import EventLog
import Foundation
import GatewayAPI
import Scenarios
import Testing

/// Every scenario under scenarios/ parses, its manifests and candidate load without errors,
/// and its traffic generates.
@Suite struct ShippedScenarioTests {
    static let names = ["seed-host", "seed-path", "seed-canary", "multi-tenant", "large"]

    @Test(arguments: names) func loads(_ name: String) throws {
        let scenario = try ScenarioParser.load(path: TestSupport.scenarios + "/\(name).yaml")
        #expect(scenario.name == name)
        let base = Loader.load(paths: scenario.manifests)
        #expect(!base.hasErrors, "\(base.diagnostics.filter { $0.severity == .error })")
        #expect(!base.objects.isEmpty)
        if !scenario.candidate.isEmpty {
            let candidate = Loader.load(paths: scenario.candidate)
            #expect(!candidate.hasErrors, "\(candidate.diagnostics.filter { $0.severity == .error })")
        }
        var requests = 0
        for event in try ScenarioEvents(scenario: scenario, seed: 1, requests: 200) where event.request != nil { requests += 1 }
        #expect(requests == 200)
    }

    @Test func largeHasAThousandRoutes() throws {
        let scenario = try ScenarioParser.load(path: TestSupport.scenarios + "/large.yaml")
        let loaded = Loader.load(paths: scenario.manifests)
        let routes = loaded.objects.filter { $0.raw["kind"]?.stringValue == "HTTPRoute" }
        #expect(routes.count == 1000)
        let hosts = Set(routes.compactMap { $0.raw["spec"]?["hostnames"]?.arrayValue?.first?.stringValue })
        #expect(hosts.count == 100)
        #expect(scenario.traffic.hosts.count == 100)
    }
}

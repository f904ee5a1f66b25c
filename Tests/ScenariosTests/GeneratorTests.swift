import EventLog
import Foundation
import Scenarios
import Testing

/// The generator: determinism, the request mix, timed changes.
@Suite final class GeneratorTests {
    let dir: String

    init() {
        dir = TestSupport.tempDir()
        TestSupport.writeManifests(in: dir)
    }

    deinit { TestSupport.remove(dir) }

    func scenario(_ extra: String = "") throws -> Scenario {
        try ScenarioParser.parse(text: """
            name: mix
            manifests: [base.yaml]
            traffic:
              rate: 100
              requests: 4000
              hosts:
                - {host: example.com, weight: 3}
                - {host: extra.example.com, weight: 1}
              paths:
                - {path: "/items/{id}", weight: 1}
                - {path: /, weight: 1}
              methods:
                - {method: GET, weight: 9}
                - {method: POST, weight: 1}
              headers:
                - name: X-Tenant
                  values: [{value: blue, weight: 1}, {value: green, weight: 1}]
                  probability: 0.3
              queries:
                - {query: "page={id}", probability: 0.5}
              clients: 10
            """ + extra, file: dir + "/mix.yaml")
    }

    func generate(_ s: Scenario, seed: UInt64, requests: Int? = nil, name: String) throws -> (Data, Generator.Summary) {
        let path = dir + "/" + name
        let summary = try Generator.generate(s, to: path, seed: seed, requests: requests)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), summary)
    }

    @Test func sameSeedSameBytes() throws {
        let s = try scenario()
        let (a, summaryA) = try generate(s, seed: 7, name: "a.zst")
        let (b, _) = try generate(s, seed: 7, name: "b.zst")
        let (c, _) = try generate(s, seed: 8, name: "c.zst")
        #expect(a == b)
        #expect(a != c)
        #expect(summaryA.requests == 4000)
        #expect(summaryA.resourceEvents == 4)
        #expect(summaryA.events == 4004)
        #expect(summaryA.bytes == a.count)
    }

    @Test func requestsAreStableAcrossCountsAndCarryNoOutcome() throws {
        let s = try scenario()
        let events = Array(try ScenarioEvents(scenario: s, seed: 5, requests: 10))
        let short = events.compactMap(\.request)
        let long = Array(try ScenarioEvents(scenario: s, seed: 5, requests: 50).compactMap(\.request))
        #expect(short == Array(long.prefix(10)))
        // Numbered from 1; a request's id is its seq (which a trace line then leaves out).
        #expect(events.map(\.seq) == (1...events.count).map { Int64($0) })
        #expect(events.filter { $0.request != nil }.allSatisfy { $0.request?.id == $0.seq.map(String.init) })
        #expect(long.allSatisfy { $0.observed == nil })
    }

    /// Clients arrive on keep-alive connections: a round of `connections ×
    /// requestsPerConnection` requests shares that many addresses (with ports), the
    /// next round opens new ones, and request i's address depends on i alone.
    @Test func clientsKeepTheirConnectionsForSeveralRequests() throws {
        var s = try scenario("\n  connections: 4\n  requestsPerConnection: 5")
        s.traffic.clients = 100_000
        let requests = Array(try ScenarioEvents(scenario: s, seed: 3, requests: 2000).compactMap(\.request))
        let rounds = stride(from: 0, to: requests.count, by: 20).map { Set(requests[$0..<$0 + 20].map(\.client)) }
        #expect(rounds.allSatisfy { $0.count <= 4 })
        #expect(rounds.reduce(0) { $0 + $1.count } > 3 * rounds.count)  // most rounds use all four
        #expect(Set(requests.map(\.client)).count > rounds.count * 3)  // new connections every round
        let later = Array(try ScenarioEvents(scenario: s, seed: 3, requests: 2500).compactMap(\.request))
        #expect(later.prefix(2000).map(\.client) == requests.map(\.client))
    }

    @Test func traceReadsBackInOrder() throws {
        let s = try scenario()
        let path = dir + "/t.zst"
        _ = try Generator.generate(s, to: path, seed: 1, requests: 500)
        let (events, result) = try TraceReader.readAll(path: path)
        #expect(result.stopReason == .complete)
        #expect(result.header?.created == "2026-01-01T00:00:00.000000Z")
        #expect(events.count == 504)
        #expect(events.prefix(4).allSatisfy { $0.resource?.source == .file && $0.timeMicros == s.traffic.startMicros })
        #expect(events.prefix(4).map { $0.resource?.origin ?? "" } == ["base.yaml:1", "base.yaml:8", "base.yaml:20", "base.yaml:29"])
        let times = events.map(\.timeMicros)
        #expect(times == times.sorted())
        #expect(zip(events, events.dropFirst()).allSatisfy { ($0.seq ?? 0) < ($1.seq ?? 0) })
    }

    @Test func mixMatchesWeights() throws {
        let s = try scenario()
        var n = 0, hostA = 0, root = 0, post = 0, tenant = 0, query = 0
        var clients = Set<String>()
        for event in try ScenarioEvents(scenario: s, seed: 11, requests: 20_000) {
            guard let r = event.request else { continue }
            n += 1
            if r.host == "example.com" { hostA += 1 }
            if r.path == "/" || r.path.hasPrefix("/?") { root += 1 }
            if r.method == "POST" { post += 1 }
            if r.headers.contains(where: { $0.name == "X-Tenant" }) { tenant += 1 }
            if r.path.contains("?page=") { query += 1 }
            clients.insert(String(r.client.split(separator: ":")[0]))
            #expect(r.port == 80 && r.scheme == "http" && r.sni == nil)
        }
        func share(_ k: Int) -> Double { Double(k) / Double(n) }
        #expect(n == 20_000)
        #expect(abs(share(hostA) - 0.75) < 0.02)
        #expect(abs(share(root) - 0.5) < 0.02)
        #expect(abs(share(post) - 0.1) < 0.01)
        #expect(abs(share(tenant) - 0.3) < 0.02)
        #expect(abs(share(query) - 0.5) < 0.02)
        #expect(clients.count == 10)
    }

    @Test func arrivalRateMatches() throws {
        let s = try scenario()
        var last: Int64 = 0
        for event in try ScenarioEvents(scenario: s, seed: 2, requests: 10_000) { last = event.timeMicros }
        let seconds = Double(last - s.traffic.startMicros) / 1_000_000
        #expect(abs(seconds - 100) < 5)  // 10,000 requests at 100/s
    }

    @Test func timedChangesAppearInOrder() throws {
        let s = try scenario("""

            changes:
              - {at: 20, delete: [{kind: HTTPRoute, namespace: default, name: extra}]}
              - {at: 10, apply: [extra.yaml]}
              - {at: 1000, delete: [{kind: Service, namespace: default, name: web}]}
            """)
        let events = Array(try ScenarioEvents(scenario: s, seed: 3, requests: 3000))
        let changes = events.enumerated().compactMap { i, e in e.resource.map { (i, e.timeMicros, $0) } }.dropFirst(4)
        #expect(changes.map { "\($0.2.action.rawValue) \($0.2.key)" } == [
            "applied HTTPRoute/default/extra", "deleted HTTPRoute/default/extra", "deleted Service/default/web",
        ])
        let start = s.traffic.startMicros
        #expect(changes.map(\.1) == [start + 10_000_000, start + 20_000_000, start + 1_000_000_000])
        // Each change sits between the requests before and after its time.
        for (index, time, _) in changes {
            if let before = events[..<index].last(where: { $0.request != nil }) { #expect(before.timeMicros <= time) }
            if let after = events[(index + 1)...].first(where: { $0.request != nil }) { #expect(after.timeMicros >= time) }
        }
        // The change after the last request still comes, at the end.
        #expect(events.last?.resource?.key == "Service/default/web")
        let deleted = try #require(changes.dropFirst().first?.2)
        #expect(deleted.objectJSON == #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"namespace":"default","name":"extra"}}"#)
    }

    /// A delete must name an object that exists at its time: a typo would otherwise leave
    /// the traffic silently unchanged.
    @Test func deletingWhatDoesNotExistIsAScenarioError() throws {
        for (changes, message) in [
            ("  - {at: 5, delete: [{kind: HTTPRoute, namespace: default, name: nope}]}", "delete HTTPRoute default/nope: no such object"),
            ("  - {at: 5, delete: [{kind: Service, namespace: other, name: web}]}", "delete Service other/web: no such object"),
            ("  - {at: 5, delete: [{kind: Service, namespace: default, name: web}]}\n  - {at: 6, delete: [{kind: Service, namespace: default, name: web}]}",
             "already deleted"),
        ] {
            let s = try scenario("\nchanges:\n" + changes)
            #expect(throws: ScenarioError.self) { _ = try ScenarioEvents(scenario: s, seed: 1, requests: 10) }
            do { _ = try ScenarioEvents(scenario: s, seed: 1, requests: 10) } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        // Written without a namespace, a namespaced object is in `default`, as in a manifest.
        let s = try scenario("\nchanges:\n  - {at: 5, delete: [{kind: Service, name: web}]}")
        #expect(Array(try ScenarioEvents(scenario: s, seed: 1, requests: 10)).contains { $0.resource?.action == .deleted })
    }

    @Test func badManifestsAreAScenarioError() throws {
        TestSupport.write("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: x}\nspec: {rules: 5}\n", to: dir + "/bad.yaml")
        let s = try ScenarioParser.parse(text: "name: b\nmanifests: [bad.yaml]\ntraffic: {hosts: [a], paths: [/]}", file: dir + "/b.yaml")
        #expect(throws: ScenarioError.self) { _ = try ScenarioEvents(scenario: s, seed: 1) }
    }

    /// Arrivals never leave the range of event times: too slow a rate for the request
    /// count is refused up front, and a draw that still runs past the end stops the
    /// requests there (an error for `gwsim generate`) instead of overflowing.
    @Test func arrivalsStayInsideTheEventTimeRange() throws {
        TestSupport.writeManifests(in: dir)
        let slow = try ScenarioParser.parse(text: "name: s\nmanifests: [base.yaml]\ntraffic: {rate: 1e-12, requests: 20000, hosts: [a], paths: [/]}",
                                            file: dir + "/slow.yaml")
        #expect(throws: ScenarioError.self) { _ = try ScenarioEvents(scenario: slow, seed: 1) }
        // One request due, on average, exactly at the last representable time.
        let edge = EventTime.format(micros: Limits.maxTimeMicros - 1_000_000)
        let late = try ScenarioParser.parse(text: "name: l\nmanifests: [base.yaml]\ntraffic: {start: \"\(edge)\", rate: 1, requests: 1, hosts: [a], paths: [/]}",
                                            file: dir + "/late.yaml")
        var past: Set<UInt64> = []
        for seed in UInt64(1)...20 {
            var events = try ScenarioEvents(scenario: late, seed: seed)
            var requests = 0
            while let event = events.next() { if event.request != nil { requests += 1 } }
            #expect(requests == (events.ranPastLatestTime ? 0 : 1))
            if events.ranPastLatestTime { past.insert(seed) }
        }
        #expect(!past.isEmpty && past.count < 20)
        // `gwsim generate` fails for exactly those seeds.
        let output = dir + "/late.zst"
        for seed in UInt64(1)...20 {
            do {
                _ = try Generator.generate(late, to: output, seed: seed)
                #expect(!past.contains(seed), "seed \(seed) ran past the latest time but generated")
            } catch let error as ScenarioError {
                #expect(past.contains(seed))
                #expect(error.description.contains("the latest time a trace holds"))
            }
        }
    }
}

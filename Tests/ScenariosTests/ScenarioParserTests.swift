import Foundation
import Scenarios
import Testing

/// Parsing and the wording of errors: every error names file, line and field.
@Suite final class ScenarioParserTests {
    let dir: String

    init() {
        dir = TestSupport.tempDir()
        TestSupport.writeManifests(in: dir)
    }

    deinit { TestSupport.remove(dir) }

    func parse(_ text: String) throws(ScenarioError) -> Scenario {
        try ScenarioParser.parse(text: text, file: dir + "/s.yaml")
    }

    func error(_ text: String) -> ScenarioError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    static let minimal = """
        name: t
        manifests: [base.yaml]
        traffic:
          hosts: [example.com]
          paths: [/]
        """

    @Test func minimalDefaults() throws {
        let s = try parse(Self.minimal)
        #expect(s.name == "t")
        #expect(s.manifests == [dir + "/base.yaml"])
        #expect(s.traffic.startMicros == 1_767_225_600_000_000)
        #expect(s.traffic.requests == 1000)
        #expect(s.traffic.rate == 100)
        #expect(s.traffic.port == 80)
        #expect(s.traffic.scheme == "http")
        #expect(s.traffic.methods.map(\.value) == ["GET"])
        #expect(s.changes.isEmpty)
    }

    @Test func fullScenario() throws {
        let s = try parse("""
            name: full
            description: everything
            manifests:
              - base.yaml
            candidate: extra.yaml
            traffic:
              start: 2026-03-01T12:00:00Z
              rate: 20
              duration: 5m
              hosts:
                - {host: "example.com:8080", weight: 3}
                - host: other.example.com
              paths:
                - {path: "/items/{id}", weight: 2}
                - {path: "/u/{uuid}/{word}", weight: 1}
              methods: [{method: post, weight: 1}]
              headers:
                - name: X-Tenant
                  values: [{value: blue, weight: 1}, {value: green, weight: 3}]
                  probability: 0.5
              queries:
                - {query: "?page={id}", weight: 1, probability: 0.25}
              scheme: https
              gateway: infra/shared
              clients: 7
              connections: 3
              requestsPerConnection: 12
            changes:
              - {at: 60, delete: [{kind: HTTPRoute, namespace: default, name: web}]}
              - {at: 30, apply: [extra.yaml]}
            """)
        #expect(s.candidate == [dir + "/extra.yaml"])
        #expect(s.traffic.requests == 6000)  // rate x duration
        #expect(s.traffic.port == 443)
        #expect(s.traffic.connections == 3 && s.traffic.requestsPerConnection == 12)
        #expect(s.traffic.methods.map(\.value) == ["POST"])
        #expect(s.traffic.queries.first?.query.source == "page={id}")
        #expect(s.traffic.headers.first?.probability == 0.5)
        #expect(s.changes.count == 2)
        // Sorted by time.
        if case .apply = s.changes[0].action {} else { Issue.record("expected the apply first") }
        #expect(s.changes[0].timeMicros == s.traffic.startMicros + 30_000_000)
        if case .delete(let refs) = s.changes[1].action {
            #expect(refs == [ObjectRef(apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "default", name: "web")])
        } else {
            Issue.record("expected the delete second")
        }
    }

    @Test func errorsNameFileLineAndField() {
        let cases: [(String, Int, String, String)] = [
            (Self.minimal + "\n  hostz: [x]", 6, "traffic.hostz", "unknown field"),
            (Self.minimal.replacingOccurrences(of: "[/]", with: "[\"/a/{nope}\"]"), 5, "traffic.paths[0]", "unknown placeholder {nope}"),
            (Self.minimal.replacingOccurrences(of: "[/]", with: "[a]"), 5, "traffic.paths[0]", "must start with '/'"),
            (Self.minimal.replacingOccurrences(of: "[example.com]", with: "[{host: a, weight: -1}]"), 4, "traffic.hosts[0].weight", "must be >= 0"),
            (Self.minimal.replacingOccurrences(of: "[example.com]", with: "[{host: a, weight: 0}]"), 4, "traffic.hosts", "at least one weight"),
            (Self.minimal + "\n  start: yesterday", 6, "traffic.start", "RFC 3339"),
            (Self.minimal + "\n  port: 70000", 6, "traffic.port", "between 1 and 65535"),
            (Self.minimal + "\n  connections: 0", 6, "traffic.connections", "between 1 and 100000"),
            (Self.minimal + "\n  requestsPerConnection: 1.5", 6, "traffic.requestsPerConnection", "whole number"),
            (Self.minimal + "\n  gateway: shared", 6, "traffic.gateway", "NAMESPACE/NAME"),
            (Self.minimal + "\n  rate: 0", 6, "traffic.rate", "must be > 0"),
            (Self.minimal + "\n  duration: soon", 6, "traffic.duration", "unit"),
            (Self.minimal + "\n  duration: 1e308h", 6, "traffic.duration", "too long to count in seconds"),
            (Self.minimal + "\n  rate: 1e300\n  duration: 10s", 7, "traffic.duration", "more than 1000000000"),
            (Self.minimal.replacingOccurrences(of: "base.yaml", with: "missing.yaml"), 2, "manifests[0]", "no such file or directory"),
            (Self.minimal + "\nchanges:\n  - {apply: [extra.yaml]}", 7, "changes[0].at", "required field is missing"),
            (Self.minimal + "\nchanges:\n  - {at: 1, apply: [extra.yaml], delete: [{kind: A, name: b}]}", 7, "changes[0]", "exactly one of apply or delete"),
            (Self.minimal + "\nchanges:\n  - {at: -5, apply: [extra.yaml]}", 7, "changes[0].at", ">= 0"),
            (Self.minimal + "\nchanges:\n  - {at: 1, delete: [{kind: HTTPRoute}]}", 7, "changes[0].delete[0].name", "required"),
            (Self.minimal + "\nchanges:\n  - {at: 1, delete: [{kind: HTTPRooute, name: b}]}", 7, "changes[0].delete[0].kind", "HTTPRooute is not a kind gwsim simulates"),
            (Self.minimal + "\nchanges:\n  - {at: 1, delete: [{kind: httproute, name: b}]}", 7, "changes[0].delete[0].kind", "did you mean HTTPRoute?"),
            ("name: bad name\n" + Self.minimal.split(separator: "\n").dropFirst().joined(separator: "\n"), 1, "name", "ASCII letters"),
            ("manifests: [base.yaml]\ntraffic: {hosts: [a], paths: [/]}", 1, "name", "required field is missing"),
        ]
        for (text, line, field, message) in cases {
            guard let e = error(text) else {
                Issue.record("accepted: \(text)")
                continue
            }
            #expect(e.file == dir + "/s.yaml")
            #expect(e.line == line, "\(e)")
            #expect(e.field == field, "\(e)")
            #expect(e.message.contains(message), "\(e)")
            #expect(e.description.hasPrefix("\(dir)/s.yaml:\(line): error: \(field): "), "\(e)")
        }
    }

    @Test func invalidYAMLHasALine() {
        let e = error("name: t\ntraffic:\n  hosts: [a\n  paths: /")
        #expect(e?.line != nil)
        #expect(e?.message.contains("invalid YAML") == true)
    }

    @Test func templates() throws {
        var rng = SplitMix64(seed: 3)
        let t = try Template("/a/{id}/{uuid}/{word}/{hex}/{{x}}")
        let s = t.expand(rng: &rng)
        let parts = s.split(separator: "/")
        #expect(parts.count == 6)
        #expect(Int(parts[1]).map { (1...99_999).contains($0) } == true)
        #expect(parts[2].count == 36 && parts[2].split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(parts[4].count == 8)
        #expect(parts[5] == "{x}")
        #expect(throws: TemplateError.self) { try Template("/{") }
        #expect(throws: TemplateError.self) { try Template("/}") }
    }
}

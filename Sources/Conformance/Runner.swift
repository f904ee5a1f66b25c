import Foundation
import GatewayAPI
import RoutingCore

/// Runs the upstream conformance suite (as data, see the suite's FORMAT.md)
/// against the routing core: for each case, the base manifests plus the case's
/// own are loaded into a simulated cluster, each step's changes are applied,
/// the world is compiled, and status, requests and distributions are compared
/// with what upstream's Go test asserts.
public struct ConformanceRunner: Sendable {
    /// The suite folder (holding `cases/`, `manifests/`, `base/`).
    public var directory: String
    /// At most this many differences are reported per case.
    public var maxDifferences: Int
    /// Run cases on several threads (results keep case order either way).
    public var parallel: Bool

    public init(directory: String, maxDifferences: Int = 5, parallel: Bool = true) {
        self.directory = directory
        self.maxDifferences = maxDifferences
        self.parallel = parallel
    }

    /// Every case file, sorted by file name.
    public func loadCases() -> (cases: [CaseFile], errors: [String]) {
        let folder = (directory as NSString).appendingPathComponent("cases")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        var cases: [CaseFile] = []
        var errors: [String] = []
        for name in names {
            do { cases.append(try CaseParser.parse(file: (folder as NSString).appendingPathComponent(name))) } catch {
                errors.append("\(error)")
            }
        }
        if names.isEmpty { errors.append("\(folder): no case files") }
        return (cases, errors)
    }

    /// Runs the cases of `profile` (e.g. `GATEWAY-HTTP`, case-insensitive) and
    /// `caseName` (exact name; else every name containing it), or all of them.
    public func run(profile: String? = nil, caseName: String? = nil) -> ConformanceReport {
        let (cases, errors) = selectCases(profile: profile, caseName: caseName)
        let base = Box(baseWorld())
        let results = Box([CaseResult?](repeating: nil, count: cases.count))
        let lock = Box(NSLock())
        let work: @Sendable (Int) -> Void = { i in
            let result = self.run(cases[i], base: base.value)
            lock.value.lock()
            results.value[i] = result
            lock.value.unlock()
        }
        if parallel {
            DispatchQueue.concurrentPerform(iterations: cases.count, execute: work)
        } else {
            for i in cases.indices { work(i) }
        }
        return ConformanceReport(cases: results.value.compactMap { $0 }, errors: errors)
    }

    /// The cases `run(profile:caseName:)` runs, and the files that did not parse.
    public func selectCases(profile: String? = nil, caseName: String? = nil) -> (cases: [CaseFile], errors: [String]) {
        let (all, errors) = loadCases()
        var selected = all
        if let profile { selected = selected.filter { $0.profile.lowercased() == profile.lowercased() } }
        if let caseName {
            let exact = selected.filter { $0.name == caseName }
            selected = exact.isEmpty ? selected.filter { $0.name.lowercased().contains(caseName.lowercased()) } : exact
        }
        return (selected, errors)
    }

    /// Runs one case.
    public func run(_ c: CaseFile) -> CaseResult { run(c, base: baseWorld()) }

    // MARK: - Internals

    /// The GatewayClass under test, the run-time generated objects and the base manifests.
    package func baseWorld() -> World {
        var world = World()
        world.apply(text: SuiteRuntime.gatewayClassYAML, file: "<runner>/gatewayclass.yaml")
        world.apply(text: SuiteRuntime.generatedObjectsYAML, file: "<runner>/generated-tls.yaml")
        world.apply(file: path("base/manifests.yaml"))
        return world
    }

    func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    func run(_ c: CaseFile, base: World) -> CaseResult {
        var result = CaseResult(name: c.name, profile: c.profile, level: c.level, file: c.file, outcome: .passed)
        if let reason = SkipRules.reason(for: c) {
            result.outcome = .skipped(reason)
            return result
        }
        var world = base
        for manifest in c.manifests { world.apply(file: path(manifest)) }
        if let reason = SkipRules.reason(for: world) {
            result.outcome = .skipped(reason)
            return result
        }
        var differences: [String] = []
        var reportedErrors = 0
        let options = SuiteRuntime.compileOptions
        for (n, step) in c.steps.enumerated() {
            let label = "step \(n + 1)"
            for file in step.apply { world.apply(file: path(file)) }
            if let text = SuiteRuntime.stepObjects[c.name]?[n] { world.apply(text: text, file: "<runner>/\(c.name)-step\(n + 1).yaml") }
            for ref in step.delete where !world.delete(ref) {
                differences.append("\(label): delete \(ref.kind) \(ref.namespace)/\(ref.name): no such object")
            }
            for patch in step.patch {
                do {
                    let value = try YAMLValue.parse(SuiteRuntime.substitute(patch.yaml))
                    if let error = world.patch(patch.target, with: value) { differences.append("\(label): \(error)") }
                } catch {
                    differences.append("\(label): patch of \(patch.target.kind) \(patch.target.name) is not YAML: \(error)")
                }
            }
            differences += world.errors.dropFirst(reportedErrors).map { "\(label): load error: \($0)" }
            reportedErrors = world.errors.count
            let compiled = Compiler.compile(world.resources, options: options)
            differences += StatusCheck.check(step.status, report: compiled.status) { world.objects[$0]?.resource.meta.generation }.map { "\(label) status: \($0)" }
            for (m, request) in step.requests.enumerated() {
                let key = "\(c.name)/\(n + 1)/\(m + 1)"
                differences += RequestCheck.check(request, world: world, table: compiled.table, key: key)
                    .map { "\(label) request \(m + 1) \(describe(request)): \($0)" }
            }
            for (d, distribution) in step.distributions.enumerated() {
                differences += DistributionCheck.check(distribution, world: world, table: compiled.table, keyPrefix: "\(c.name)/\(n + 1)/d\(d + 1)")
                    .map { "\(label) distribution \(d + 1): \($0)" }
            }
        }
        if !differences.isEmpty {
            var shown = Array(differences.prefix(maxDifferences))
            if differences.count > maxDifferences { shown.append("... and \(differences.count - maxDifferences) more") }
            result.outcome = .failed(shown)
        }
        return result
    }

    func describe(_ r: RequestCase) -> String {
        if r.request.path == nil { return "(\(r.scheme) :\(r.port) sni \(r.request.sni ?? "none"))" }
        let host = (r.request.host ?? "").isEmpty ? "<gateway>" : r.request.host!
        return "(\(r.request.method ?? (r.isGRPC ? "POST" : "GET")) \(r.scheme)://\(host):\(r.port)\(r.request.path ?? "/"))"
    }
}

/// Shares a value with the worker threads of one run (read-only after setup,
/// writes guarded by the run's lock).
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

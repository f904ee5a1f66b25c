import EventLog
import Foundation
import GatewayAPI
@testable import Replay
import RoutingCore
import Testing

/// Hand-built traces for the replay tests: one Gateway on port 80, Services
/// whoami and nginx, and an HTTPRoute `app/web` for host `whoami`.
enum TraceFixture {
    static let t0: Int64 = 1_795_000_000_000_000
    static let second: Int64 = 1_000_000

    static let gatewayClass = #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass","metadata":{"name":"gw"},"spec":{"controllerName":"example.com/gw"}}"#
    static let gateway = #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"infra"},"spec":{"gatewayClassName":"gw","listeners":[{"name":"http","port":80,"protocol":"HTTP","allowedRoutes":{"namespaces":{"from":"All"}}}]}}"#
    static func service(_ name: String) -> String {
        #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(name)","namespace":"app"},"spec":{"ports":[{"port":80}]}}"#
    }

    /// `app/<name>` for host `whoami` with one rule: a path match and weighted backends.
    static func route(name: String = "web", pathType: String = "PathPrefix", path: String = "/", backends: [(String, Int)]) -> String {
        let refs = backends.map { #"{"name":"\#($0.0)","port":80,"weight":\#($0.1)}"# }.joined(separator: ",")
        return #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"\#(name)","namespace":"app"},"spec":{"parentRefs":[{"name":"gw","namespace":"infra"}],"hostnames":["whoami"],"rules":[{"matches":[{"path":{"type":"\#(pathType)","value":"\#(path)"}}],"backendRefs":[\#(refs)]}]}}"#
    }

    static let canary = route(backends: [("whoami", 3), ("nginx", 1)])
    static let even = route(backends: [("whoami", 1), ("nginx", 1)])
    static let exactFoo = route(pathType: "Exact", path: "/foo", backends: [("whoami", 1)])

    static func resource(_ json: String, at time: Int64, delete: Bool = false) -> Event {
        Event(timeMicros: time, body: .resource(try! ResourceChange(action: delete ? .deleted : .applied, source: .file, objectJSON: json)))
    }

    static func request(_ i: Int, at time: Int64, path: String = "/", host: String = "whoami", observed: ObservedOutcome? = nil) -> Event {
        Event(timeMicros: time, body: .request(RequestRecord(id: "req-\(i)", client: "203.0.113.7:4000\(i % 10)", port: 80, scheme: "http",
                                                             method: "GET", host: host, path: path,
                                                             headers: [HeaderField("user-agent", "test")], gateway: "infra/gw",
                                                             observed: observed)))
    }

    /// The setup (class, gateway, services, `route`) at t0, then `count` requests one millisecond apart.
    static func events(route: String = canary, requests count: Int, path: (Int) -> String = { _ in "/" }) -> [Event] {
        var events = [resource(gatewayClass, at: t0), resource(gateway, at: t0), resource(service("whoami"), at: t0),
                      resource(service("nginx"), at: t0), resource(route, at: t0)]
        for i in 0..<count { events.append(request(i, at: t0 + second + Int64(i) * 1_000, path: path(i))) }
        return events
    }

    static func write(_ events: [Event], to path: String, frameBytes: Int = 2 << 20) throws {
        let writer = try TraceWriter(path: path, frameBytes: frameBytes, created: "2026-11-18T00:00:00.000000Z")
        for event in events { try writer.write(event) }
        try writer.close()
    }

    /// Loaded `--with` objects from JSON text.
    static func objects(_ json: String...) -> [LoadedObject] {
        let loaded = Loader.load(text: json.joined(separator: "\n---\n"), file: "with.json")
        precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
        return loaded.objects
    }
}

/// A fresh temporary directory, removed when released.
final class ReplayTempDir {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-tests-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

/// Writes `events` to a trace and replays it.
func replay(_ events: [Event], change: ReplayChange = ReplayChange(), threads: Int = 1, verify: Bool = false, chunkSize: Int = 4096,
            comparesPairsOnce: Bool = true, onChanged: ((ChangedRequestRow) -> Void)? = nil) throws -> ReplayResult {
    let dir = ReplayTempDir()
    let trace = dir.file("trace.zst")
    try TraceFixture.write(events, to: trace)
    var options = ReplayOptions(tracePath: trace, change: change, threads: threads, verify: verify, chunkSize: chunkSize)
    options.comparesPairsOnce = comparesPairsOnce
    return try Replay.run(options, onChanged: onChanged)
}

import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// The seed backends, a proxy and its admin API on loopback (ephemeral ports), recording
/// into an event log in a temporary directory (or, with `log: nil`, into the ring).
final class AdminHarness {
    let whoami = WhoamiServer(name: "whoami")
    let nginx = WhoamiServer(name: "nginx")
    let proxy: GatewayProxy
    let recorder: AdminRecorder
    let control: AdminControlPlane
    let server: AdminServer
    let port: Int
    let adminPort: Int
    let logPath: String?
    private var stopped = false

    /// - Parameters:
    ///   - files: seed manifests (`scenarios/seed/...`), applied as `file` events when there is a log.
    ///   - log: event store path; bootstraps from it when it already has objects.
    init(files: [String], log: String?, token: String? = nil) throws {
        let whoamiAddress = try whoami.start()
        let nginxAddress = try nginx.start()
        let loaded = Loader.load(paths: files.map { seedDirectory + $0 })
        precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
        var objects: [LoadedObject] = []
        if let log {
            let store = try EventStore(path: log)
            objects = try LogBootstrap.rebuild(store: store).objects
            let changes = try loaded.objects.map {
                try ResourceChange(action: .applied, source: .file, origin: $0.location.file, objectJSON: $0.raw.toJSON())
            }
            _ = try store.append(changes.map { Event(time: Date().timeIntervalSince1970, body: .resource($0)) })
            let queue = BoundedEventQueue()
            let writer = EventStoreWriter(store: store, queue: queue)
            writer.start()
            recorder = AdminRecorder(queue: queue, writer: writer)
        } else {
            recorder = AdminRecorder()
        }
        objects += loaded.objects
        logPath = log
        var resources = ResourceSet()
        for object in objects { resources.apply(object.resource) }
        let config = ProxyConfig(portMap: [8000: 0], backendOverrides: ["kube-system/whoami": [whoamiAddress], "kube-system/nginx": [nginxAddress]],
                                 drainTimeout: .seconds(2))
        proxy = GatewayProxy(resources: resources, config: config, onRequest: recorder.onRequest)
        port = try proxy.start().first { $0.listenerPort == 8000 }!.address.port
        control = AdminControlPlane(proxy: proxy, objects: objects, recorder: recorder, config: config)
        server = AdminServer(router: AdminRouter(control: control, config: AdminConfig(host: "127.0.0.1", port: 0, token: token)))
        adminPort = try server.start().port
    }

    /// One admin call on a fresh connection.
    func admin(_ method: String, _ target: String, body: String = "", token: String? = nil) throws -> RawHTTPConnection.Response {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try RawHTTPConnection(port: adminPort, timeoutSeconds: 30)
            .request(target, method: method, host: "127.0.0.1", headers: headers, body: Array(body.utf8), close: true)
    }

    func json(_ response: RawHTTPConnection.Response) throws -> Value { try Value.parseJSON(response.text) }

    func stop() {
        guard !stopped else { return }
        stopped = true
        server.stop()
        proxy.stop()
        recorder.writer?.stop()
        whoami.stop()
        nginx.stop()
    }

    deinit { stop() }
}

let seedBase = ["00-traefik-gateway.yaml", "01-whoami.yaml", "03-nginx.yaml"]

func seedText(_ file: String) -> String {
    String(decoding: FileManager.default.contents(atPath: seedDirectory + file) ?? Data(), as: UTF8.self)
}

/// An event store path in a directory of its own; `removeTemporaryLog` takes the
/// directory away with the store's -wal and -shm files.
func temporaryLogPath() -> String {
    let dir = NSTemporaryDirectory() + "gwsim-admin-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/events.db"
}

func removeTemporaryLog(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
}

/// A new event store holding `manifests` applied, then `records` one second apart: what
/// the proxy would have logged, for replaying (`--verify`, a change) in tests.
func recordedLog(manifests: String, file: String, records: [RequestRecord]) throws -> String {
    let path = temporaryLogPath()
    let store = try EventStore(path: path)
    let changes = try Loader.load(text: manifests, file: file, firstLoadOrder: 0).objects.map {
        try ResourceChange(action: .applied, source: .file, origin: file, objectJSON: $0.raw.toJSON())
    }
    let start = Date().timeIntervalSince1970
    _ = try store.append(changes.map { Event(time: start, body: .resource($0)) })
    _ = try store.append(records.enumerated().map { Event(time: start + 1 + Double($0.offset), body: .request($0.element)) })
    return path
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct AdminHarnessTests {
    @Test func healthzAnswersOk() throws {
        let harness = try AdminHarness(files: seedBase + ["02-whoami-httproute.yaml"], log: nil)
        defer { harness.stop() }
        let response = try harness.admin("GET", "/healthz")
        #expect(response.status == 200)
        #expect(response.text == "ok\n")
        #expect(try harness.admin("GET", "/nope").status == 404)
        #expect(try harness.admin("PUT", "/apply").status == 405)
    }
}

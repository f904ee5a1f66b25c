import Conformance
import Foundation
import GatewayAPI
import Proxy
import RoutingCore

/// The live controller of one case: a `GatewayProxy` holding every object of the case's
/// world (all Gateways, unlike the per-Gateway data-plane proxies), changed only through
/// its admin API, as an operator would: `POST /apply` with the objects that are new or
/// changed since the last step, `DELETE /resources/...` for those that went away. The
/// status a step is checked against is the admin API's `GET /status` answer, i.e. what
/// the running proxy computed from the manifests applied through it.
final class LiveController: @unchecked Sendable {
    private let server: AdminServer
    private let client: AdminClient
    /// What the proxy holds, as last sent (raw objects, so that any change is re-applied).
    private var sent: [ObjectKey: Value] = [:]

    init(config: ProxyConfig) throws {
        let proxy = GatewayProxy(resources: ResourceSet(), config: config, compileOptions: LiveConformanceRunner.options)
        let control = AdminControlPlane(proxy: proxy, objects: [], recorder: AdminRecorder(), config: config,
                                        compileOptions: LiveConformanceRunner.options)
        server = AdminServer(router: AdminRouter(control: control, config: AdminConfig(host: "127.0.0.1", port: 0)))
        let endpoint = try server.start()
        var client = try AdminClient(url: "http://127.0.0.1:\(endpoint.port)", token: nil)
        client.timeoutSeconds = 30
        self.client = client
    }

    /// Brings the proxy's objects to `world`'s (oldest first, so ages match the world's
    /// load order). Returns what the admin API refused, as differences.
    func sync(_ world: World) -> [String] {
        var out: [String] = []
        let wanted = world.objects.values.sorted { $0.resource.meta.loadOrder < $1.resource.meta.loadOrder }
        let changed = wanted.filter { sent[$0.resource.key] != $0.raw }
        if !changed.isEmpty {
            let body = changed.map { $0.raw.toJSON() }.joined(separator: "\n---\n") + "\n"
            out += request("POST", "/apply", body: body)
            for object in changed { sent[object.resource.key] = object.raw }
        }
        for key in sent.keys.sorted() where world.objects[key] == nil {
            let path = key.namespace.isEmpty ? "\(key.kind)/\(key.name)" : "\(key.kind)/\(key.namespace)/\(key.name)"
            out += request("DELETE", "/resources/\(path)")
            sent[key] = nil
        }
        return out
    }

    /// `GET /status`, read back into a report.
    func status() -> Result<StatusReport, LiveControllerError> {
        do {
            let response = try client.send("GET", "/status")
            guard response.status == 200 else { return .failure(LiveControllerError("GET /status answered \(response.status): \(response.body)")) }
            guard case .array(let objects) = try Value.parseJSON(response.body) else {
                return .failure(LiveControllerError("GET /status: expected a JSON array"))
            }
            return .success(StatusReport(objects: objects))
        } catch {
            return .failure(LiveControllerError("GET /status: \(error)"))
        }
    }

    func stop() { server.stop() }

    private func request(_ method: String, _ target: String, body: String = "") -> [String] {
        do {
            let response = try client.send(method, target, body: body)
            return response.status == 200 ? [] : ["admin API \(method) \(target) answered \(response.status): \(response.body.trimmingCharacters(in: .whitespacesAndNewlines))"]
        } catch {
            return ["admin API \(method) \(target): \(error)"]
        }
    }
}

struct LiveControllerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

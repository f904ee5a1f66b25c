import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let seedDirectory = repositoryRoot + "/scenarios/seed/"

/// How long a test waits for something the proxy does promptly (a response, a record, a
/// close). Only a hang runs into it, so it is generous: CI runs every suite at once on two
/// cores, where a few seconds can pass before a loaded event loop gets to run.
let promptly: Double = 30

/// The seed manifests: the Gateway, both Services, and one route step.
func seedResources(_ step: String) -> ResourceSet {
    let files = ["00-traefik-gateway.yaml", "01-whoami.yaml", "03-nginx.yaml", step].map { seedDirectory + $0 }
    let loaded = Loader.load(paths: files)
    precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
    return loaded.resources
}

/// Thread-safe collection of the records the proxy reports.
final class RecordSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RequestRecord] = []
    func append(_ record: RequestRecord) { lock.lock(); stored.append(record); lock.unlock() }
    var records: [RequestRecord] { lock.lock(); defer { lock.unlock() }; return stored }

    /// The records once there are at least `count` (or after `timeout` seconds): a record is
    /// emitted when the exchange completes, which can be just after the client has read a
    /// Content-Length-framed response.
    func waitFor(_ count: Int, timeout: Double = promptly) -> [RequestRecord] {
        let deadline = Date().addingTimeInterval(timeout)
        while records.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        return records
    }
}

/// Two whoami backends (named whoami and nginx) and a proxy in front of them, all on
/// loopback with ephemeral ports; `stop()` tears everything down.
final class ProxyHarness {
    let whoami = WhoamiServer(name: "whoami")
    let nginx = WhoamiServer(name: "nginx")
    let sink = RecordSink()
    let proxy: GatewayProxy
    let config: ProxyConfig
    let port: Int

    /// - Parameters:
    ///   - listenerPort: the Gateway listener port to map to an ephemeral one.
    ///   - extra: more overrides (e.g. a refused endpoint).
    init(resources: ResourceSet, listenerPort: Int = 8000, extra: [String: [Endpoint]] = [:], configure: (inout ProxyConfig) -> Void = { _ in }) throws {
        let whoamiAddress = try whoami.start()
        let nginxAddress = try nginx.start()
        var overrides = ["kube-system/whoami": [whoamiAddress], "kube-system/nginx": [nginxAddress],
                         "default/whoami": [whoamiAddress], "default/nginx": [nginxAddress]]
        for (key, value) in extra { overrides[key] = value }
        var config = ProxyConfig(portMap: [listenerPort: 0], backendOverrides: overrides, drainTimeout: .seconds(2))
        configure(&config)
        self.config = config
        let sink = self.sink
        proxy = GatewayProxy(resources: resources, config: config) { record, _ in sink.append(record) }
        let bound = try proxy.start()
        guard let first = bound.first(where: { $0.listenerPort == listenerPort }) else { throw RawHTTPConnection.Failure.closed }
        port = first.address.port
    }

    func connect() throws -> RawHTTPConnection { try RawHTTPConnection(port: port) }

    func stop() {
        proxy.stop()
        whoami.stop()
        nginx.stop()
    }
}

/// YAML documents joined into one multi-document stream.
func yamlStream(_ documents: String...) -> String { documents.joined(separator: "\n---\n") }

/// The GatewayClass `gwsim` every hand-written proxy test world uses.
let gwsimClassYAML = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gwsim}
spec: {controllerName: gwsim.dev/proxy}
"""

/// Gateway `default/edge` of class `gwsim`, one flow mapping per listener.
func edgeGatewayYAML(listeners: [String]) -> String {
    """
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: edge, namespace: default}
    spec:
      gatewayClassName: gwsim
      listeners:
    \(listeners.map { "  - \($0)" }.joined(separator: "\n"))
    """
}

/// Service `default/NAME` with one port.
func serviceYAML(_ name: String, port: Int = 80, extra: String = "") -> String {
    """
    apiVersion: v1
    kind: Service
    metadata: {name: \(name), namespace: default}
    spec: {ports: [{port: \(port)\(extra.isEmpty ? "" : ", " + extra)}]}
    """
}

/// A small Gateway API v1 world for the edge cases: redirect, refused backend, a slow
/// backend with a timeout, response header changes, a request mirror.
let edgeManifests = yamlStream(
    gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]),
    serviceYAML("whoami"), serviceYAML("refused"), serviceYAML("slow"), serviceYAML("nginx"), """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mirror, namespace: default}
spec:
  parentRefs: [{name: edge}]
  hostnames: [mirror.test]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: nginx, port: 80}}
    backendRefs: [{name: whoami, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: redirect, namespace: default}
spec:
  parentRefs: [{name: edge}]
  hostnames: [redirect.test]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: apps, namespace: default}
spec:
  parentRefs: [{name: edge}]
  hostnames: [app.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /refused}}]
    backendRefs: [{name: refused, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /slow}}]
    timeouts: {request: 300ms}
    backendRefs: [{name: slow, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /}}]
    filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: x-edge, value: "yes"}]
        remove: [x-whoami-name]
    backendRefs: [{name: whoami, port: 80}]
""")

func edgeResources() -> ResourceSet {
    let loaded = Loader.load(text: edgeManifests, file: "edge.yaml", firstLoadOrder: 0)
    precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
    return loaded.resources
}

import GatewayAPI
import RoutingCore
import Testing

/// Shared fixtures for the RoutingCore tests: a GatewayClass, a Gateway `infra/gw`
/// with one HTTP listener on port 80 that allows routes from all namespaces, and
/// Services `one`...`four`, `whoami`, `nginx` (port 80) in `default`.
enum Fixture {
    static let gatewayClass = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gwsim}
        spec: {controllerName: gwsim.dev/gateway-controller}
        """

    /// A Gateway `infra/gw` with the given listeners (flow-style YAML list items).
    static func gateway(name: String = "gw", namespace: String = "infra", className: String = "gwsim",
                        listeners: [String] = ["{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"]) -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: \(name), namespace: \(namespace)}
        spec:
          gatewayClassName: \(className)
          listeners:
        \(listeners.map { "  - \($0)" }.joined(separator: "\n"))
        """
    }

    static func service(_ name: String, namespace: String = "default", port: Int = 80, appProtocol: String? = nil) -> String {
        let app = appProtocol.map { ", appProtocol: \($0)" } ?? ""
        return """
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
              ports: [{port: \(port)\(app)}]
            """
    }

    static let services = ["one", "two", "three", "four", "whoami", "nginx"].map { service($0) }

    /// An HTTPRoute attached to `infra/gw`. `rules` is a flow-style YAML list.
    static func httpRoute(_ name: String, namespace: String = "default", hostnames: [String] = [],
                          created: String? = nil, parent: String = "{name: gw, namespace: infra}", rules: String) -> String {
        let hosts = hostnames.isEmpty ? "" : "\n  hostnames: [\(hostnames.map { "\"\($0)\"" }.joined(separator: ", "))]"
        let ts = created.map { ", creationTimestamp: \"\($0)\"" } ?? ""
        return """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: \(name), namespace: \(namespace)\(ts)}
            spec:
              parentRefs: [\(parent)]\(hosts)
              rules: \(rules)
            """
    }

    /// A GRPCRoute attached to `infra/gw`. `rules` is a flow-style YAML list.
    static func grpcRoute(_ name: String, namespace: String = "default", hostnames: [String] = [], rules: String) -> String {
        let hosts = hostnames.isEmpty ? "" : "\n  hostnames: [\(hostnames.map { "\"\($0)\"" }.joined(separator: ", "))]"
        return """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
              parentRefs: [{name: gw, namespace: infra}]\(hosts)
              rules: \(rules)
            """
    }

    /// Loads documents (in order) and fails the test on any load error.
    static func load(_ documents: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> ResourceSet {
        let loaded = Loader.load(text: documents.joined(separator: "\n---\n"), file: "test.yaml", firstLoadOrder: 0)
        let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(errors.isEmpty, "load errors: \(errors)", sourceLocation: sourceLocation)
        return loaded.resources
    }

    /// The standard world (class, gateway, services) plus `documents`.
    static func world(_ documents: [String], gateway: String? = nil, options: CompileOptions = CompileOptions(),
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) -> CompiledWorld {
        Compiler.compile(load([gatewayClass, gateway ?? Fixture.gateway()] + services + documents, sourceLocation: sourceLocation),
                         options: options)
    }

    static func table(_ documents: [String], gateway: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RoutingTable {
        world(documents, gateway: gateway, sourceLocation: sourceLocation).table
    }
}

/// A GET on port 80 (headers as name/value pairs).
func get(_ path: String, host: String = "example.com", method: String = "GET", headers: [(String, String)] = [],
         port: Int = 80, scheme: String = "http") -> RouteRequest {
    RouteRequest(port: port, scheme: scheme, method: method, host: host, path: path,
                 headers: headers.map { HTTPHeader(name: $0.0, value: $0.1) })
}

/// `{backend: Service, rule: "name/rule"}` shorthand for assertions.
extension Decision {
    var backendName: String? { outcome == .forward ? backend?.name : nil }
    /// `name/rule/match`, e.g. `a/0/0`.
    var winner: String? { route.map { "\($0.name)/\($0.rule)" + ($0.match.map { "/\($0)" } ?? "") } }
}

/// A rule sending everything it matches to `backend`: `{matches: [...], backendRefs: [{name: backend, port: 80}]}`.
func rule(_ matches: String? = nil, to backend: String, filters: String? = nil) -> String {
    var parts: [String] = []
    if let matches { parts.append("matches: [\(matches)]") }
    if let filters { parts.append("filters: [\(filters)]") }
    parts.append("backendRefs: [{name: \(backend), port: 80}]")
    return "{" + parts.joined(separator: ", ") + "}"
}

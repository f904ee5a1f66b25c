import GatewayAPI
import RoutingCore

/// Backend (Service port) -> endpoint addresses, the way kube-proxy would see them:
/// explicit overrides first (per Service port, then per Service), then ready EndpointSlice addresses, then an ExternalName.
///
/// Built once per resource snapshot and swapped together with the routing table, so a
/// request resolves against the same snapshot it was routed with.
public struct BackendResolver: Sendable {
    private let overrides: [String: [Endpoint]]
    private let services: [String: Service]
    private let slices: [String: [EndpointSlice]]

    public init(resources: ResourceSet, overrides: [String: [Endpoint]] = [:]) {
        self.overrides = overrides
        var services: [String: Service] = [:]
        for service in resources.services { services["\(service.meta.namespace)/\(service.meta.name)"] = service }
        var slices: [String: [EndpointSlice]] = [:]
        for slice in resources.endpointSlices {
            guard let serviceName = slice.serviceName else { continue }
            slices["\(slice.meta.namespace)/\(serviceName)", default: []].append(slice)
        }
        self.services = services
        self.slices = slices
    }

    /// The endpoints of `backend`, sorted and deduplicated (deterministic round-robin
    /// order); empty when nothing is known, which the proxy answers with 503.
    public func endpoints(for backend: BackendRef) -> [Endpoint] {
        let key = "\(backend.namespace)/\(backend.name)"
        // `ns/name:port` overrides one Service port (a backend serving TLS on one port only).
        if let port = backend.port, let explicit = overrides["\(key):\(port)"], !explicit.isEmpty { return explicit }
        if let explicit = overrides[key], !explicit.isEmpty { return explicit }
        let service = services[key]
        let servicePort = service?.ports.first { $0.port == backend.port } ?? (service?.ports.count == 1 ? service?.ports.first : nil)
        var found = Set<Endpoint>()
        for slice in slices[key] ?? [] {
            guard let port = Self.slicePort(slice, servicePort: servicePort, backendPort: backend.port) else { continue }
            for endpoint in slice.endpoints where endpoint.ready {
                for address in endpoint.addresses { found.insert(Endpoint(host: address, port: port)) }
            }
        }
        if !found.isEmpty { return found.sorted() }
        if let service, service.type == "ExternalName", let host = service.externalName, let port = backend.port {
            return [Endpoint(host: host, port: port)]
        }
        return []
    }

    /// The `appProtocol` of the Service port `backend` names (GEP-1911), nil when unset.
    public func appProtocol(for backend: BackendRef) -> String? {
        let service = services["\(backend.namespace)/\(backend.name)"]
        let servicePort = service?.ports.first { $0.port == backend.port } ?? (service?.ports.count == 1 ? service?.ports.first : nil)
        return servicePort?.appProtocol
    }

    /// The slice port serving `servicePort`: same port name, else a numeric targetPort,
    /// else the slice's only port, else the Service port itself.
    static func slicePort(_ slice: EndpointSlice, servicePort: Service.Port?, backendPort: Int?) -> Int? {
        if let named = slice.ports.first(where: { $0.name == servicePort?.name }), let port = named.port { return port }
        if let target = servicePort?.targetPort, let number = Int(target) { return number }
        if slice.ports.count == 1, let port = slice.ports[0].port { return port }
        return servicePort?.port ?? backendPort
    }
}

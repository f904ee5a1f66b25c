import GatewayAPI

/// Resolves a route's backend references (shared_types.go, ResolvedRefs reasons
/// InvalidKind, RefNotPermitted, BackendNotFound, UnsupportedProtocol).
enum BackendResolution {
    /// Service `appProtocol` values gwsim can speak to (gateway-api GEP-1911).
    static let supportedAppProtocols: Set<String> = [
        "http", "https", "h2c", "grpc", "kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss",
    ]

    /// nil when the reference resolves; otherwise the ResolvedRefs reason and a message.
    static func problem(_ ref: BackendObjectReference, routeKind: String, routeNamespace: String,
                        context: CompileContext) -> (reason: String, message: String)? {
        guard ref.isService else {
            return ("InvalidKind", "backend kind \(ref.group.isEmpty ? "core" : ref.group)/\(ref.kind) is not supported")
        }
        let namespace = ref.namespace ?? routeNamespace
        guard context.referencePermitted(fromGroup: gatewayGroup, fromKind: routeKind, fromNamespace: routeNamespace,
                                         toGroup: "", toKind: "Service", toNamespace: namespace, toName: ref.name) else {
            return ("RefNotPermitted", "Service \(namespace)/\(ref.name) is in another namespace and no ReferenceGrant allows it")
        }
        guard let service = context.services[ObjectKey(kind: "Service", namespace: namespace, name: ref.name)] else {
            return ("BackendNotFound", "Service \(namespace)/\(ref.name) not found")
        }
        guard let port = ref.port else {
            return ("BackendNotFound", "backendRef to Service \(namespace)/\(ref.name) has no port")
        }
        if service.type != "ExternalName", !service.ports.isEmpty {
            guard let servicePort = service.ports.first(where: { $0.port == port }) else {
                return ("BackendNotFound", "Service \(namespace)/\(ref.name) has no port \(port)")
            }
            if let app = servicePort.appProtocol, !supportedAppProtocols.contains(app.lowercased()) {
                return ("UnsupportedProtocol", "Service \(namespace)/\(ref.name) port \(port) has unsupported appProtocol \(app)")
            }
        }
        return nil
    }

    static func backendRef(_ ref: BackendObjectReference, routeNamespace: String) -> BackendRef {
        BackendRef(group: ref.group, kind: ref.kind, namespace: ref.namespace ?? routeNamespace, name: ref.name, port: ref.port)
    }
}

/// Which apiVersion/kind pairs gwsim simulates, and their decoders.
enum KindRegistry {
    /// The versions of gateway.networking.k8s.io that serve each kind, in any release of the
    /// CRDs (config/crd): what `kubectl apply` accepts with the CRDs of that release installed.
    /// Kinds left older versions behind (GatewayClass, Gateway and HTTPRoute v1alpha2 until
    /// v0.8; GRPCRoute v1alpha2 until v1.1); no kind was ever served as v1alpha3 but TLSRoute
    /// and BackendTLSPolicy, nor TCPRoute or UDPRoute as v1beta1.
    static let servedVersions: [String: Set<String>] = [
        "GatewayClass": ["v1", "v1beta1", "v1alpha2"],
        "Gateway": ["v1", "v1beta1", "v1alpha2"],
        "HTTPRoute": ["v1", "v1beta1", "v1alpha2"],
        "GRPCRoute": ["v1", "v1alpha2"],
        "TLSRoute": ["v1", "v1alpha3", "v1alpha2"],
        "TCPRoute": ["v1", "v1alpha2"],
        "UDPRoute": ["v1", "v1alpha2"],
        "ReferenceGrant": ["v1", "v1beta1", "v1alpha2"],
        "ListenerSet": ["v1"],
        "BackendTLSPolicy": ["v1", "v1alpha3", "v1alpha2"],
    ]

    static func isGatewayKind(group: String, kind: String) -> Bool {
        (group == gatewayGroup && servedVersions[kind] != nil) || (group == V1Alpha1.group && ["GatewayClass", "Gateway", "HTTPRoute"].contains(kind))
    }

    /// nil for a kind that is not simulated (the caller notes it as skipped).
    static func decode(_ o: Field, group: String, version: String, kind: String, loadOrder: Int) -> Resource? {
        switch (group, version) {
        case (gatewayGroup, let v) where servedVersions[kind]?.contains(v) == true:
            switch kind {
            case "GatewayClass": return .gatewayClass(GatewayDecoder.gatewayClass(o, loadOrder: loadOrder))
            case "Gateway": return .gateway(GatewayDecoder.gateway(o, loadOrder: loadOrder))
            case "ListenerSet": return .listenerSet(GatewayDecoder.listenerSet(o, loadOrder: loadOrder))
            case "HTTPRoute": return .httpRoute(HTTPRouteDecoder.decode(o, loadOrder: loadOrder))
            case "GRPCRoute": return .grpcRoute(GRPCRouteDecoder.decode(o, loadOrder: loadOrder))
            case "TLSRoute": return .l4Route(L4RouteDecoder.decode(o, kind: .tls, version: v, loadOrder: loadOrder))
            case "TCPRoute": return .l4Route(L4RouteDecoder.decode(o, kind: .tcp, version: v, loadOrder: loadOrder))
            case "UDPRoute": return .l4Route(L4RouteDecoder.decode(o, kind: .udp, version: v, loadOrder: loadOrder))
            case "ReferenceGrant": return .referenceGrant(ReferenceGrantDecoder.decode(o, loadOrder: loadOrder))
            case "BackendTLSPolicy": return .backendTLSPolicy(BackendTLSPolicyDecoder.decode(o, loadOrder: loadOrder))
            default: return nil
            }
        case (V1Alpha1.group, "v1alpha1"):
            switch kind {
            case "GatewayClass": return .gatewayClass(V1Alpha1.gatewayClass(o, loadOrder: loadOrder))
            case "Gateway": return .gateway(V1Alpha1.gateway(o, loadOrder: loadOrder))
            case "HTTPRoute": return .httpRoute(V1Alpha1.httpRoute(o, loadOrder: loadOrder))
            default: return nil
            }
        case ("", "v1"):
            switch kind {
            case "Namespace": return .namespace(CoreDecoder.namespace(o, loadOrder: loadOrder))
            case "Service": return .service(CoreDecoder.service(o, loadOrder: loadOrder))
            case "Secret": return .secret(CoreDecoder.secret(o, loadOrder: loadOrder))
            case "ConfigMap": return .configMap(CoreDecoder.configMap(o, loadOrder: loadOrder))
            default: return nil
            }
        case ("discovery.k8s.io", "v1"):
            return kind == "EndpointSlice" ? .endpointSlice(CoreDecoder.endpointSlice(o, loadOrder: loadOrder)) : nil
        default:
            return nil
        }
    }
}

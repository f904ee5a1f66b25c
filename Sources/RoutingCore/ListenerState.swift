import GatewayAPI

/// A listener after validation: the kinds it takes, whether it can serve
/// traffic, and the conditions written into its status.
struct ListenerState {
    let gateway: ObjectKey
    let gatewayGeneration: Int
    let listener: Listener
    /// The ListenerSet that contributed this listener; nil for the Gateway's own.
    var listenerSet: ObjectKey? = nil
    var supportedKinds: [RouteGroupKind]
    /// Accepted: routes may attach (counted in attachedRoutes).
    var accepted: Bool
    /// Programmed: it serves traffic.
    var programmed: Bool
    var conditions: [Condition]
    var attachedRoutes = 0

    var ref: ListenerRef {
        ListenerRef(gateway: gateway, name: listener.name, port: listener.port,
                    listenerSet: listenerSet.map { "\($0.namespace)/\($0.name)" })
    }
    var hostname: String? { listener.hostname?.lowercased() }
}

/// The kinds a listener protocol can carry (gateway_types.go, `supportedKinds`).
enum ProtocolKinds {
    static func defaults(for listener: Listener) -> [RouteGroupKind] {
        switch listener.protocol {
        case .http, .https: [RouteGroupKind(kind: "HTTPRoute"), RouteGroupKind(kind: "GRPCRoute")]
        case .tls: [RouteGroupKind(kind: "TLSRoute")]
        case .tcp: [RouteGroupKind(kind: "TCPRoute")]
        case .udp: [RouteGroupKind(kind: "UDPRoute")]
        case .other: []
        }
    }

    /// Listeners that can share a port: HTTPS and TLS both select by SNI; TCP and
    /// UDP are different transports. Anything else on one port is a ProtocolConflict.
    /// Whether two listeners on one port can never take the same traffic: the
    /// opposite of a ProtocolConflict or HostnameConflict (GatewayPhase.conflict).
    static func distinct(_ a: CompiledListener, _ b: CompiledListener) -> Bool {
        if family(a.proto) != family(b.proto) { return a.proto == .udp || b.proto == .udp }
        return (a.hostname?.lowercased() ?? "") != (b.hostname?.lowercased() ?? "")
    }

    static func family(_ proto: ListenerProtocol) -> String {
        switch proto {
        case .http: "http"
        case .https, .tls: "tls"
        case .tcp: "tcp"
        case .udp: "udp"
        case .other(let raw): raw
        }
    }
}

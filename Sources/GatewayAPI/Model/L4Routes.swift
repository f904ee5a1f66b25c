/// The layer-4 route kinds, which share one shape: parents, optional hostnames
/// (TLSRoute only: SNI), and rules that hold only weighted backends.
public enum L4RouteKind: String, Sendable, Hashable, CaseIterable {
    case tls = "TLSRoute"
    case tcp = "TCPRoute"
    case udp = "UDPRoute"
}

/// `TLSRoute`, `TCPRoute` or `UDPRoute` (apis/v1/tlsroute_types.go, tcproute_types.go, udproute_types.go).
public struct L4Route: Sendable, Hashable {
    public var kind: L4RouteKind
    public var meta: ObjectMeta
    public var parentRefs: [ParentReference]
    /// SNI hostnames (TLSRoute only; always empty for TCP and UDP).
    public var hostnames: [String]
    public var rules: [L4RouteRule]

    public init(kind: L4RouteKind, meta: ObjectMeta, parentRefs: [ParentReference], hostnames: [String] = [], rules: [L4RouteRule]) {
        self.kind = kind
        self.meta = meta
        self.parentRefs = parentRefs
        self.hostnames = hostnames
        self.rules = rules
    }
}

/// A layer-4 rule: a name and weighted backends.
public struct L4RouteRule: Sendable, Hashable {
    public var name: String?
    public var backendRefs: [HTTPBackendRef]
    public init(name: String? = nil, backendRefs: [HTTPBackendRef]) {
        self.name = name
        self.backendRefs = backendRefs
    }
}

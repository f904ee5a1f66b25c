/// `GRPCRoute` (apis/v1/grpcroute_types.go), defaults applied as for HTTPRoute.
public struct GRPCRoute: Sendable, Hashable {
    public var meta: ObjectMeta
    public var parentRefs: [ParentReference]
    public var hostnames: [String]
    public var rules: [GRPCRouteRule]

    public init(meta: ObjectMeta, parentRefs: [ParentReference], hostnames: [String] = [], rules: [GRPCRouteRule]) {
        self.meta = meta
        self.parentRefs = parentRefs
        self.hostnames = hostnames
        self.rules = rules
    }
}

/// `GRPCRouteRule`. An empty `matches` list matches every gRPC request.
public struct GRPCRouteRule: Sendable, Hashable {
    public var name: String?
    public var matches: [GRPCRouteMatch]
    /// Only header modifiers, mirrors and extension refs are valid gRPC filters.
    public var filters: [HTTPRouteFilter]
    public var backendRefs: [HTTPBackendRef]
    public var sessionPersistence: SessionPersistence?

    public init(name: String? = nil, matches: [GRPCRouteMatch] = [], filters: [HTTPRouteFilter] = [],
                backendRefs: [HTTPBackendRef] = [], sessionPersistence: SessionPersistence? = nil) {
        self.name = name
        self.matches = matches
        self.filters = filters
        self.backendRefs = backendRefs
        self.sessionPersistence = sessionPersistence
    }
}

/// `GRPCRouteMatch`: method and headers must all hold.
public struct GRPCRouteMatch: Sendable, Hashable {
    public var method: GRPCMethodMatch?
    public var headers: [HTTPHeaderMatch]
    public init(method: GRPCMethodMatch? = nil, headers: [HTTPHeaderMatch] = []) {
        self.method = method
        self.headers = headers
    }
}

/// `GRPCMethodMatch`: service and/or method, Exact (default) or RegularExpression.
public struct GRPCMethodMatch: Sendable, Hashable {
    public var type: ValueMatchType
    public var service: String?
    public var method: String?
    public init(type: ValueMatchType = .exact, service: String? = nil, method: String? = nil) {
        self.type = type
        self.service = service
        self.method = method
    }
}

/// Any object gwsim understands, in the v1 model.
public enum Resource: Sendable, Hashable {
    case gatewayClass(GatewayClass)
    case gateway(Gateway)
    case listenerSet(ListenerSet)
    case httpRoute(HTTPRoute)
    case grpcRoute(GRPCRoute)
    case l4Route(L4Route)
    case referenceGrant(ReferenceGrant)
    case backendTLSPolicy(BackendTLSPolicy)
    case namespace(Namespace)
    case service(Service)
    case endpointSlice(EndpointSlice)
    case secret(Secret)
    case configMap(ConfigMap)

    public var meta: ObjectMeta {
        switch self {
        case .gatewayClass(let o): o.meta
        case .gateway(let o): o.meta
        case .listenerSet(let o): o.meta
        case .httpRoute(let o): o.meta
        case .grpcRoute(let o): o.meta
        case .l4Route(let o): o.meta
        case .referenceGrant(let o): o.meta
        case .backendTLSPolicy(let o): o.meta
        case .namespace(let o): o.meta
        case .service(let o): o.meta
        case .endpointSlice(let o): o.meta
        case .secret(let o): o.meta
        case .configMap(let o): o.meta
        }
    }

    public var kind: String {
        switch self {
        case .gatewayClass: "GatewayClass"
        case .gateway: "Gateway"
        case .listenerSet: "ListenerSet"
        case .httpRoute: "HTTPRoute"
        case .grpcRoute: "GRPCRoute"
        case .l4Route(let o): o.kind.rawValue
        case .referenceGrant: "ReferenceGrant"
        case .backendTLSPolicy: "BackendTLSPolicy"
        case .namespace: "Namespace"
        case .service: "Service"
        case .endpointSlice: "EndpointSlice"
        case .secret: "Secret"
        case .configMap: "ConfigMap"
        }
    }

    public var key: ObjectKey { ObjectKey(kind: kind, namespace: meta.namespace, name: meta.name) }
}

/// A set of objects keyed by kind/namespace/name: the cluster state that the
/// routing core compiles. Applying an object with an existing key replaces it,
/// as `kubectl apply` would; the replacement keeps the original creation order.
public struct ResourceSet: Sendable, Hashable {
    public private(set) var objects: [ObjectKey: Resource] = [:]
    private var nextLoadOrder = 0

    public init() {}

    public init(_ resources: [Resource]) {
        for resource in resources { apply(resource) }
    }

    /// Adds or replaces an object. A new object gets the next load order unless it
    /// carries one already; a replacement keeps the age of the object it replaces
    /// (its load order and creationTimestamp).
    /// With `keepingLoadOrder`, a new object keeps the load order it carries even when a
    /// younger one is present: the replay engine gives recorded objects and a change's
    /// objects the ages they have in the log, whatever order it applies them in.
    public mutating func apply(_ resource: Resource, keepingLoadOrder: Bool = false) {
        var resource = resource
        let key = resource.key
        if let existing = objects[key] {
            resource.takeAge(of: existing.meta)
        } else if !keepingLoadOrder {
            resource.setLoadOrder(max(nextLoadOrder, resource.meta.loadOrder))
        }
        nextLoadOrder = max(nextLoadOrder, resource.meta.loadOrder + 1)
        objects[key] = resource
    }

    /// Gives the object under `key`, if any, the age of `original`: the replay engine's
    /// change takes the place of the recorded object it replaces, whenever that one is
    /// created in the log.
    public mutating func giveAge(of original: ObjectMeta, to key: ObjectKey) {
        guard var resource = objects[key] else { return }
        resource.takeAge(of: original)
        nextLoadOrder = max(nextLoadOrder, original.loadOrder + 1)
        objects[key] = resource
    }

    /// Removes an object; returns whether it existed.
    @discardableResult
    public mutating func delete(_ key: ObjectKey) -> Bool {
        objects.removeValue(forKey: key) != nil
    }

    public subscript(key: ObjectKey) -> Resource? { objects[key] }

    public var count: Int { objects.count }

    /// Every object, sorted by key (deterministic order for output).
    public var sorted: [Resource] { objects.keys.sorted().map { objects[$0]! } }

    public var gatewayClasses: [GatewayClass] { sorted.compactMap { if case .gatewayClass(let o) = $0 { o } else { nil } } }
    public var gateways: [Gateway] { sorted.compactMap { if case .gateway(let o) = $0 { o } else { nil } } }
    public var listenerSets: [ListenerSet] { sorted.compactMap { if case .listenerSet(let o) = $0 { o } else { nil } } }
    public var httpRoutes: [HTTPRoute] { sorted.compactMap { if case .httpRoute(let o) = $0 { o } else { nil } } }
    public var grpcRoutes: [GRPCRoute] { sorted.compactMap { if case .grpcRoute(let o) = $0 { o } else { nil } } }
    public var l4Routes: [L4Route] { sorted.compactMap { if case .l4Route(let o) = $0 { o } else { nil } } }
    public var backendTLSPolicies: [BackendTLSPolicy] { sorted.compactMap { if case .backendTLSPolicy(let o) = $0 { o } else { nil } } }
    public var referenceGrants: [ReferenceGrant] { sorted.compactMap { if case .referenceGrant(let o) = $0 { o } else { nil } } }
    public var namespaces: [Namespace] { sorted.compactMap { if case .namespace(let o) = $0 { o } else { nil } } }
    public var services: [Service] { sorted.compactMap { if case .service(let o) = $0 { o } else { nil } } }
    public var endpointSlices: [EndpointSlice] { sorted.compactMap { if case .endpointSlice(let o) = $0 { o } else { nil } } }
    public var secrets: [Secret] { sorted.compactMap { if case .secret(let o) = $0 { o } else { nil } } }
    public var configMaps: [ConfigMap] { sorted.compactMap { if case .configMap(let o) = $0 { o } else { nil } } }
}

extension Resource {
    fileprivate mutating func updateMeta(_ update: (inout ObjectMeta) -> Void) {
        switch self {
        case .gatewayClass(var o): update(&o.meta); self = .gatewayClass(o)
        case .gateway(var o): update(&o.meta); self = .gateway(o)
        case .listenerSet(var o): update(&o.meta); self = .listenerSet(o)
        case .httpRoute(var o): update(&o.meta); self = .httpRoute(o)
        case .grpcRoute(var o): update(&o.meta); self = .grpcRoute(o)
        case .l4Route(var o): update(&o.meta); self = .l4Route(o)
        case .referenceGrant(var o): update(&o.meta); self = .referenceGrant(o)
        case .backendTLSPolicy(var o): update(&o.meta); self = .backendTLSPolicy(o)
        case .namespace(var o): update(&o.meta); self = .namespace(o)
        case .service(var o): update(&o.meta); self = .service(o)
        case .endpointSlice(var o): update(&o.meta); self = .endpointSlice(o)
        case .secret(var o): update(&o.meta); self = .secret(o)
        case .configMap(var o): update(&o.meta); self = .configMap(o)
        }
    }

    fileprivate mutating func setLoadOrder(_ order: Int) { updateMeta { $0.loadOrder = order } }

    /// An update keeps the object's creation time: the API server never changes
    /// `creationTimestamp` after creation, whatever the update carries.
    fileprivate mutating func takeAge(of original: ObjectMeta) {
        updateMeta {
            $0.loadOrder = original.loadOrder
            $0.creationTimestamp = original.creationTimestamp
        }
    }
}

import GatewayAPI

/// A status condition (`metav1.Condition`) as a conformant controller writes it.
public struct Condition: Sendable, Hashable {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var reason: String
    public var message: String
    public var observedGeneration: Int

    public init(_ type: String, _ isTrue: Bool, reason: String, message: String = "", observedGeneration: Int) {
        self.type = type
        self.status = isTrue ? "True" : "False"
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
    }

    public var isTrue: Bool { status == "True" }
}

/// `GatewayClassStatus`.
public struct GatewayClassStatus: Sendable, Hashable {
    public var key: ObjectKey
    public var conditions: [Condition]
}

/// `ListenerStatus`.
public struct ListenerStatus: Sendable, Hashable {
    public var name: String
    public var supportedKinds: [RouteGroupKind]
    public var attachedRoutes: Int
    public var conditions: [Condition]
}

/// `GatewayStatus`.
public struct GatewayStatus: Sendable, Hashable {
    public var key: ObjectKey
    public var addresses: [GatewayAddress]
    public var conditions: [Condition]
    /// The Gateway's own listeners (ListenerSet listeners report in the ListenerSet).
    public var listeners: [ListenerStatus]
    /// Accepted ListenerSets attached to this Gateway.
    public var attachedListenerSets: Int

    /// The Programmed=False condition of a Gateway that is not programmed (nothing of it is
    /// served), nil otherwise.
    public var notProgrammed: Condition? { conditions.first { $0.type == "Programmed" && !$0.isTrue } }
}

/// `ListenerSetStatus`.
public struct ListenerSetStatus: Sendable, Hashable {
    public var key: ObjectKey
    public var conditions: [Condition]
    public var listeners: [ListenerStatus]
}

/// One `RouteParentStatus`.
public struct RouteParentStatus: Sendable, Hashable {
    public var parentRef: ParentReference
    public var controllerName: String
    public var conditions: [Condition]
    public init(parentRef: ParentReference, controllerName: String, conditions: [Condition]) {
        self.parentRef = parentRef
        self.controllerName = controllerName
        self.conditions = conditions
    }
}

/// `RouteStatus` for any route kind.
public struct RouteStatus: Sendable, Hashable {
    public var key: ObjectKey
    public var parents: [RouteParentStatus]
    public init(key: ObjectKey, parents: [RouteParentStatus]) {
        self.key = key
        self.parents = parents
    }
}

/// One `PolicyAncestorStatus`: the policy's conditions as seen from one Gateway.
public struct PolicyAncestorStatus: Sendable, Hashable {
    public var ancestorRef: ParentReference
    public var controllerName: String
    public var conditions: [Condition]
}

/// `PolicyStatus` (BackendTLSPolicy).
public struct PolicyStatus: Sendable, Hashable {
    public var key: ObjectKey
    public var ancestors: [PolicyAncestorStatus]
}

/// The status of every object the controller owns, sorted by key.
public struct StatusReport: Sendable, Hashable {
    public var gatewayClasses: [GatewayClassStatus]
    public var gateways: [GatewayStatus]
    public var listenerSets: [ListenerSetStatus]
    public var routes: [RouteStatus]
    public var policies: [PolicyStatus]

    public init(gatewayClasses: [GatewayClassStatus] = [], gateways: [GatewayStatus] = [], listenerSets: [ListenerSetStatus] = [],
                routes: [RouteStatus] = [], policies: [PolicyStatus] = []) {
        self.gatewayClasses = gatewayClasses
        self.gateways = gateways
        self.listenerSets = listenerSets
        self.routes = routes
        self.policies = policies
    }

    public func gatewayClass(_ name: String) -> GatewayClassStatus? { gatewayClasses.first { $0.key.name == name } }
    public func gateway(_ key: ObjectKey) -> GatewayStatus? { gateways.first { $0.key == key } }
    public func route(_ key: ObjectKey) -> RouteStatus? { routes.first { $0.key == key } }
    public func listenerSet(_ key: ObjectKey) -> ListenerSetStatus? { listenerSets.first { $0.key == key } }
    public func policy(_ key: ObjectKey) -> PolicyStatus? { policies.first { $0.key == key } }
}

/// `GatewayClass` (apis/v1/gatewayclass_types.go). Cluster-scoped.
public struct GatewayClass: Sendable, Hashable {
    public var meta: ObjectMeta
    /// `spec.controllerName` (v1alpha1: `spec.controller`).
    public var controllerName: String
    /// `spec.parametersRef`; its `namespace` is kept apart from `LocalObjectReference`.
    public var parametersRef: ParametersReference?

    public init(meta: ObjectMeta, controllerName: String, parametersRef: ParametersReference? = nil) {
        self.meta = meta
        self.controllerName = controllerName
        self.parametersRef = parametersRef
    }
}

/// `ParametersReference` of a GatewayClass, or `parametersRef` of a Gateway's infrastructure.
public struct ParametersReference: Sendable, Hashable {
    public var group: String
    public var kind: String
    public var name: String
    public var namespace: String?

    public init(group: String, kind: String, name: String, namespace: String? = nil) {
        self.group = group
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }
}

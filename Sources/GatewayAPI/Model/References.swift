/// API group of the Gateway API kinds.
public let gatewayGroup = "gateway.networking.k8s.io"

/// `ParentReference` (apis/v1/shared_types.go): the Gateway (or other parent) a
/// route wants to attach to, optionally narrowed to one listener by section name
/// or port. Group and kind are defaulted to `gateway.networking.k8s.io` / `Gateway`.
public struct ParentReference: Hashable, Sendable {
    public var group: String
    public var kind: String
    /// Absent means the route's own namespace.
    public var namespace: String?
    public var name: String
    public var sectionName: String?
    public var port: Int?

    public init(group: String = gatewayGroup, kind: String = "Gateway", namespace: String? = nil,
                name: String, sectionName: String? = nil, port: Int? = nil) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.sectionName = sectionName
        self.port = port
    }
}

/// `BackendObjectReference`: a Service (group "", kind Service, the defaults) or
/// another backend kind, in the route's namespace unless `namespace` says otherwise.
public struct BackendObjectReference: Hashable, Sendable {
    public var group: String
    public var kind: String
    public var name: String
    public var namespace: String?
    public var port: Int?

    public init(group: String = "", kind: String = "Service", name: String, namespace: String? = nil, port: Int? = nil) {
        self.group = group
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.port = port
    }

    /// True for the core Service kind, the one backend kind gwsim resolves.
    public var isService: Bool { (group == "" || group == "core") && kind == "Service" }
}

/// `SecretObjectReference`, used by listener certificate refs.
public struct SecretObjectReference: Hashable, Sendable {
    public var group: String
    public var kind: String
    public var name: String
    public var namespace: String?

    public init(group: String = "", kind: String = "Secret", name: String, namespace: String? = nil) {
        self.group = group
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }
}

/// `LocalObjectReference` (extensionRef filters, parametersRef without namespace, ...).
public struct LocalObjectReference: Hashable, Sendable {
    public var group: String
    public var kind: String
    public var name: String

    public init(group: String, kind: String, name: String) {
        self.group = group
        self.kind = kind
        self.name = name
    }
}

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`).
public struct LabelSelector: Hashable, Sendable {
    public struct Requirement: Hashable, Sendable {
        public enum Operator: String, Sendable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist" }
        public var key: String
        public var op: Operator
        public var values: [String]
        public init(key: String, op: Operator, values: [String]) {
            self.key = key
            self.op = op
            self.values = values
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Kubernetes semantics: every label and every expression must hold; an empty
    /// selector matches everything.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        for requirement in matchExpressions {
            let value = labels[requirement.key]
            switch requirement.op {
            case .in: guard let value, requirement.values.contains(value) else { return false }
            case .notIn: if let value, requirement.values.contains(value) { return false }
            case .exists: if value == nil { return false }
            case .doesNotExist: if value != nil { return false }
            }
        }
        return true
    }
}

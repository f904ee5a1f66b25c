import GatewayAPI

/// What attachment and status need from any route kind, in one shape.
struct RouteView {
    let kind: String
    let meta: ObjectMeta
    let parentRefs: [ParentReference]
    let hostnames: [String]
    /// HTTP, gRPC and TLS routes intersect hostnames with listeners; TCP and UDP do not.
    let usesHostnames: Bool
    /// Converted from networking.x-k8s.io/v1alpha1: attaches by the listeners'
    /// route label selector instead of parentRefs.
    let selectedByLabels: Bool
    /// Every backend a rule can send to (backendRefs and mirror targets), per rule.
    let backendsPerRule: [[BackendObjectReference]]
    /// Rules dropped as invalid, with why (PartiallyInvalid / UnsupportedValue).
    let invalidRules: [Int: String]

    var key: ObjectKey { ObjectKey(kind: kind, namespace: meta.namespace, name: meta.name) }
    var groupKind: RouteGroupKind { RouteGroupKind(kind: kind) }

    static let convertedAnnotation = "gwsim.dev/converted-from"

    init(kind: String, meta: ObjectMeta, parentRefs: [ParentReference], hostnames: [String], usesHostnames: Bool,
         backendsPerRule: [[BackendObjectReference]], invalidRules: [Int: String]) {
        self.kind = kind
        self.meta = meta
        self.parentRefs = parentRefs
        self.hostnames = hostnames.map { $0.lowercased() }
        self.usesHostnames = usesHostnames
        self.selectedByLabels = meta.annotations[RouteView.convertedAnnotation] != nil && parentRefs.isEmpty
        self.backendsPerRule = backendsPerRule
        self.invalidRules = invalidRules
    }
}

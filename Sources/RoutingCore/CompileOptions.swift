import GatewayAPI

/// How to compile.
public struct CompileOptions: Sendable, Hashable {
    /// Act only as the controller of GatewayClasses with this `controllerName`;
    /// nil = act as the controller of every GatewayClass.
    public var controllerName: String?

    public init(controllerName: String? = nil) {
        self.controllerName = controllerName
    }
}

/// The output of one compile: the routing table and the status a controller writes.
public struct CompiledWorld: Sendable {
    public let status: StatusReport
    public let table: RoutingTable
}

import GatewayAPI

/// How to compile.
public struct CompileOptions: Sendable, Hashable {
    /// Act only as the controller of GatewayClasses with this `controllerName`;
    /// nil = act as the controller of every GatewayClass.
    public var controllerName: String?
    /// The addresses Gateways can be served on; nil: not known, every well-formed
    /// address is taken as served (GatewayAddressCheck).
    public var addressPool: AddressPool?

    public init(controllerName: String? = nil, addressPool: AddressPool? = nil) {
        self.controllerName = controllerName
        self.addressPool = addressPool
    }
}

/// The output of one compile: the routing table and the status a controller writes.
public struct CompiledWorld: Sendable {
    public let status: StatusReport
    public let table: RoutingTable
}

import GatewayAPI

/// What a Gateway's `spec.addresses` allow (gateway_types.go, GatewaySpec.Addresses,
/// GatewaySpecAddress, reasons UnsupportedAddress / AddressNotAssigned / AddressNotUsable).
struct GatewayAddressCheck {
    /// Accepted=False, reason UnsupportedAddress: a type gwsim does not serve.
    var unsupported: String?
    /// Programmed=False: an address that cannot be served, with its reason.
    var unusable: (reason: String, message: String)?
    /// What `status.addresses` lists: the requested addresses the Gateway is served on.
    var bound: [GatewayAddress]

    /// `pool` nil: the addresses are the cluster's business, not the simulation's; every
    /// well-formed address is taken as served, and one without a value as assigned by
    /// the cluster (it has no value to list). With a pool, a value must be in it, and a
    /// request without one gets the pool's first address of its type, or AddressNotAssigned
    /// when the pool has none (GatewaySpecAddress.Value).
    init(_ gateway: Gateway, pool: AddressPool?) {
        bound = []
        func serve(_ address: GatewayAddress) { if !bound.contains(address) { bound.append(address) } }
        var unassigned: [String] = []
        var outside: [String] = []
        for (index, address) in gateway.addresses.enumerated() {
            let field = "spec.addresses[\(index)]"
            guard address.type == "IPAddress" || address.type == "Hostname" else {
                unsupported = unsupported ?? "\(field): address type \(address.type) is not supported (only IPAddress and Hostname)"
                continue
            }
            if address.value.isEmpty {
                if let pool {
                    if let assigned = pool.assign(type: address.type) { serve(assigned) } else { unassigned.append("\(field) (\(address.type))") }
                }
            } else if let pool, !pool.contains(address) {
                outside.append("\(field) \(address.value)")
            } else {
                serve(address)
            }
        }
        if let pool, !outside.isEmpty {
            unusable = ("AddressNotUsable", outside.joined(separator: ", ") + " cannot be served: not in the address pool (\(pool));"
                            + " request an address from the pool or remove it")
        } else if let pool, !unassigned.isEmpty {
            unusable = ("AddressNotAssigned", unassigned.joined(separator: ", ") + " has no value and the address pool (\(pool)) has no address of its type;"
                            + " give a value or add one to the pool")
        }
        if unsupported != nil || unusable != nil { bound = [] }
    }
}

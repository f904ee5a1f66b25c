import ArgumentParser
import RoutingCore

/// `--address-pool ENTRY ...`: the addresses Gateways may request in `spec.addresses`.
struct AddressPoolOptions: ParsableArguments {
    @Option(name: .customLong("address-pool"),
            help: ArgumentHelp("An IP address, CIDR range or hostname Gateways can be served on (repeatable). A Gateway requesting another address is not programmed (AddressNotUsable). Default: any address; for the proxy, the addresses --listen-host reaches.",
                               valueName: "ADDRESS|CIDR|HOSTNAME"))
    var entries: [String] = []

    func validate() throws {
        if case .failure(let error) = AddressPool.parse(entries) { throw ValidationError("--address-pool \(error)") }
    }

    /// The pool given, or nil when none was.
    var pool: AddressPool? {
        guard !entries.isEmpty, case .success(let pool) = AddressPool.parse(entries) else { return nil }
        return pool
    }
}

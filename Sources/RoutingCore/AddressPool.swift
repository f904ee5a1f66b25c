import GatewayAPI

/// The addresses the data plane can serve Gateways on: IP addresses, CIDR ranges and
/// hostnames. gateway_types.go `GatewaySpec.Addresses`: an address a Gateway requests
/// that is invalid or unavailable MUST show in the Gateway's conditions, and every
/// address the implementation binds is listed in `status.addresses`. The routing core
/// cannot look at a network, so the edge says which addresses exist: `--address-pool`,
/// or for the proxy the addresses its listeners bind.
public struct AddressPool: Sendable, Hashable, CustomStringConvertible {
    enum Entry: Sendable, Hashable {
        case range(IPAddress, prefixLength: Int)
        case hostname(String)
    }

    let entries: [Entry]
    /// The entries as given, for messages.
    public let description: String

    /// A pool from entries such as `10.0.0.0/8`, `192.0.2.7`, `::1`, `lb.example.com`;
    /// the message names the first entry that is none of these.
    public static func parse(_ texts: [String]) -> Result<AddressPool, AddressPoolError> {
        var entries: [Entry] = []
        for text in texts {
            guard let entry = entry(text) else {
                return .failure(AddressPoolError(entry: text))
            }
            entries.append(entry)
        }
        return .success(AddressPool(entries: entries, description: texts.joined(separator: ", ")))
    }

    /// A pool of exactly these addresses (each a single-address range).
    public init(addresses: [IPAddress]) {
        entries = addresses.map { .range($0, prefixLength: $0.bitWidth) }
        description = addresses.map(\.description).joined(separator: ", ")
    }

    init(entries: [Entry], description: String) {
        self.entries = entries
        self.description = description
    }

    /// True when the pool holds `address` (an IPAddress inside a range, or a Hostname
    /// listed as is). Other types are never in a pool.
    public func contains(_ address: GatewayAddress) -> Bool {
        switch address.type {
        case "IPAddress":
            guard let ip = IPAddress(address.value) else { return false }
            return entries.contains {
                if case .range(let base, let length) = $0 { return base.sharesPrefix(length, with: ip) }
                return false
            }
        case "Hostname":
            return entries.contains { $0 == .hostname(address.value) }
        default:
            return false
        }
    }

    /// The address given to a request of `type` without a value (GatewaySpecAddress.Value:
    /// an implementation SHOULD assign one): the pool's first entry of that type; for a
    /// range wider than two addresses, its first host address (the base plus one).
    public func assign(type: String) -> GatewayAddress? {
        for entry in entries {
            switch entry {
            case .range(let base, let length) where type == "IPAddress":
                return GatewayAddress(type: type, value: (base.bitWidth - length >= 2 ? base.successor : base).description)
            case .hostname(let name) where type == "Hostname":
                return GatewayAddress(type: type, value: name)
            default:
                continue
            }
        }
        return nil
    }

    private static func entry(_ text: String) -> Entry? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if let ip = IPAddress(String(parts[0])) {
            guard parts.count == 2 else { return .range(ip, prefixLength: ip.bitWidth) }
            guard let length = Int(parts[1]), (0...ip.bitWidth).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            return .range(ip, prefixLength: length)
        }
        return parts.count == 1 && GatewayAddress.isHostnameValue(text) && !text.hasPrefix("*.") ? .hostname(text) : nil
    }
}

/// An `--address-pool` entry that is no address, range or hostname.
public struct AddressPoolError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String {
        "\"\(entry)\" is not an IP address, a CIDR range (10.0.0.0/8, fd00::/64) or a lowercase hostname"
    }
}

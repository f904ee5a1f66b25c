import Glibc
import GatewayAPI
import RoutingCore

/// Where a listener bound on a host is reachable: the proxy's address pool when no
/// `--address-pool` is given, so that `status.addresses` lists only addresses the proxy
/// really serves (gateway_types.go, GatewaySpec.Addresses: every assigned address is bound).
public enum LocalAddresses {
    /// `host` itself, or for a wildcard (`0.0.0.0`, `::`) every address of this machine's
    /// interfaces in that family (`::` takes IPv4 too, as a dual-stack socket does).
    public static func pool(listenHost host: String) -> AddressPool {
        let bound = IPAddress(host).map { [$0] } ?? resolve(host)
        let addresses = bound.flatMap { $0.isUnspecified ? interfaces(ipv4Only: $0.isIPv4) : [$0] }
        return AddressPool(addresses: Array(Set(addresses)).sorted { $0.description < $1.description })
    }

    private static func interfaces(ipv4Only: Bool) -> [IPAddress] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { return [] }
        defer { freeifaddrs(first) }
        var found: [IPAddress] = []
        var next = first
        while let entry = next {
            next = entry.pointee.ifa_next
            if let address = entry.pointee.ifa_addr, let ip = text(address), !ipv4Only || ip.isIPv4 { found.append(ip) }
        }
        return found
    }

    private static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var first: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &first) == 0 else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var next = first
        while let entry = next {
            next = entry.pointee.ai_next
            if let address = entry.pointee.ai_addr, let ip = text(address) { found.append(ip) }
        }
        return found
    }

    /// An IPv4 or IPv6 socket address as an `IPAddress` (a link-local zone dropped).
    private static func text(_ address: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                _ = withUnsafePointer(to: v4.pointee.sin_addr) { inet_ntop(AF_INET, $0, &buffer, socklen_t(buffer.count)) }
            }
        case AF_INET6:
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                _ = withUnsafePointer(to: v6.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &buffer, socklen_t(buffer.count)) }
            }
        default:
            return nil
        }
        return IPAddress(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

import GatewayAPI
import RoutingCore
import Testing

/// `spec.addresses` against the addresses the data plane has (gateway_types.go,
/// GatewaySpec.Addresses, GatewaySpecAddress; reasons UnsupportedAddress,
/// AddressNotUsable, AddressNotAssigned).
@Suite struct GatewayAddressTests {
    typealias F = Fixture
    static let key = ObjectKey(kind: "Gateway", namespace: "infra", name: "gw")

    func gateway(addresses: [String]) -> String {
        F.gateway().replacingOccurrences(of: "  listeners:", with: "  addresses:\n" + addresses.map { "  - \($0)\n" }.joined() + "  listeners:")
    }

    func compile(_ addresses: [String], pool: [String]?) throws -> GatewayStatus? {
        let addressPool = try pool.map { try AddressPool.parse($0).get() }
        let world = F.world([F.httpRoute("r", rules: "[\(rule(to: "one"))]")], gateway: gateway(addresses: addresses),
                            options: CompileOptions(addressPool: addressPool))
        return world.status.gateway(Self.key)
    }

    func condition(_ status: GatewayStatus?, _ type: String) -> String? {
        status?.conditions.first { $0.type == type }.map { "\($0.status) \($0.reason)" }
    }

    @Test func ipAddressesParseInBothFamilies() {
        #expect(IPAddress("10.1.2.3")?.description == "10.1.2.3")
        #expect(IPAddress("::1")?.description == "0:0:0:0:0:0:0:1")
        #expect(IPAddress("fd00::a:b")?.description == "fd00:0:0:0:0:0:a:b")
        #expect(IPAddress("::ffff:192.0.2.1")?.description == "0:0:0:0:0:ffff:c000:201")
        #expect(IPAddress("1:2:3:4:5:6:7:8") != nil)
        for bad in ["", "10.1.2", "10.1.2.256", "1.2.3.4.5", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::g", "fe80::1%eth0", "+1::", "a.b.c.d"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress("0.0.0.0")!.isUnspecified && IPAddress("::")!.isUnspecified && !IPAddress("::1")!.isUnspecified)
    }

    /// Any text either fails to parse or parses to an address whose spelling parses back
    /// to it; pool entries of the same texts never trap either (seeded: every run the same).
    @Test func addressTextsRoundTripOrFail() {
        var random = SplitMix(seed: 7)
        let alphabet = Array("0123456789abcdefABCDEF:./%-")
        var parsed = 0
        for _ in 0..<20_000 {
            let length = random.below(25)
            var text = String((0..<length).map { _ in alphabet[random.below(alphabet.count)] })
            if random.below(2) == 0 { text = "::" + text }
            _ = AddressPool.parse([text])
            guard let address = IPAddress(text) else { continue }
            parsed += 1
            #expect(IPAddress(address.description) == address, "\(text) -> \(address)")
        }
        #expect(parsed > 0)
    }

    @Test func poolsHoldRangesAndHostnames() throws {
        let pool = try AddressPool.parse(["10.0.0.0/8", "192.0.2.7", "fd00::/64", "lb.example.com"]).get()
        #expect(pool.contains(GatewayAddress(value: "10.255.0.1")))
        #expect(!pool.contains(GatewayAddress(value: "11.0.0.1")))
        #expect(pool.contains(GatewayAddress(value: "192.0.2.7")) && !pool.contains(GatewayAddress(value: "192.0.2.8")))
        #expect(pool.contains(GatewayAddress(value: "fd00::1:2")) && !pool.contains(GatewayAddress(value: "fd00:0:0:1::1")))
        #expect(!pool.contains(GatewayAddress(value: "::ffff:10.0.0.1")), "an IPv6 address is never in an IPv4 range")
        #expect(pool.contains(GatewayAddress(type: "Hostname", value: "lb.example.com")))
        #expect(!pool.contains(GatewayAddress(type: "Hostname", value: "other.example.com")))
        #expect(!pool.contains(GatewayAddress(type: "example.com/custom", value: "10.0.0.1")))
        #expect(pool.assign(type: "IPAddress")?.value == "10.0.0.1")
        #expect(pool.assign(type: "Hostname")?.value == "lb.example.com")
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "*.example.com", "Upper.example.com", "a/b"] {
            #expect(throws: AddressPoolError.self, "\(bad)") { try AddressPool.parse([bad]).get() }
        }
    }

    @Test func withoutAPoolEveryWellFormedAddressIsServed() throws {
        let status = try compile(["{value: 10.0.0.7}", "{type: Hostname, value: lb.example.com}", "{type: IPAddress}"], pool: nil)
        #expect(condition(status, "Programmed") == "True Programmed")
        #expect(status?.addresses == [GatewayAddress(value: "10.0.0.7"), GatewayAddress(type: "Hostname", value: "lb.example.com")])
    }

    @Test func anAddressOutsideThePoolLeavesTheGatewayUnprogrammed() throws {
        let status = try compile(["{value: 10.0.0.7}", "{value: 192.0.2.1}"], pool: ["10.0.0.0/24"])
        #expect(condition(status, "Accepted") == "True Accepted")
        #expect(condition(status, "Programmed") == "False AddressNotUsable")
        let message = status?.conditions.first { $0.type == "Programmed" }?.message ?? ""
        #expect(message.contains("spec.addresses[1] 192.0.2.1") && message.contains("10.0.0.0/24"), "\(message)")
        #expect(status?.addresses == [])
        let table = F.world([F.httpRoute("r", rules: "[\(rule(to: "one"))]")], gateway: gateway(addresses: ["{value: 192.0.2.1}"]),
                            options: CompileOptions(addressPool: try AddressPool.parse(["10.0.0.0/24"]).get())).table
        #expect(table.route(get("/"), key: "k").backendName == nil, "an unprogrammed Gateway serves nothing")
    }

    @Test func addressesInThePoolAreServedAndListed() throws {
        let status = try compile(["{value: 10.0.0.7}"], pool: ["10.0.0.0/24"])
        #expect(condition(status, "Programmed") == "True Programmed")
        #expect(status?.addresses == [GatewayAddress(value: "10.0.0.7")])
    }

    @Test func anAddressWithoutAValueIsAssignedFromThePool() throws {
        let status = try compile(["{type: IPAddress}"], pool: ["192.0.2.10"])
        #expect(condition(status, "Programmed") == "True Programmed")
        #expect(status?.addresses == [GatewayAddress(value: "192.0.2.10")])
        let unassigned = try compile(["{type: Hostname}"], pool: ["192.0.2.10"])
        #expect(condition(unassigned, "Programmed") == "False AddressNotAssigned")
    }

    @Test func anUnsupportedTypeIsNotAccepted() throws {
        let status = try compile(["{type: example.com/pool-name, value: blue}"], pool: nil)
        #expect(condition(status, "Accepted") == "False UnsupportedAddress")
        #expect(status?.addresses == [])
    }
}

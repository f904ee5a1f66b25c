import GatewayAPI
import Proxy
import Testing

/// The proxy's own address pool: where its listeners are reachable, by the host they bind.
@Suite struct LocalAddressesTests {
    @Test func aSpecificHostIsTheWholePool() {
        let pool = LocalAddresses.pool(listenHost: "127.0.0.1")
        #expect(pool.contains(GatewayAddress(value: "127.0.0.1")))
        #expect(!pool.contains(GatewayAddress(value: "127.0.0.2")))
        #expect(!pool.contains(GatewayAddress(type: "Hostname", value: "localhost")))
    }

    @Test func theIPv4WildcardReachesEveryIPv4InterfaceAddress() {
        let pool = LocalAddresses.pool(listenHost: "0.0.0.0")
        #expect(pool.contains(GatewayAddress(value: "127.0.0.1")), "\(pool)")
        #expect(!pool.contains(GatewayAddress(value: "192.0.2.1")), "\(pool)")
        #expect(!pool.contains(GatewayAddress(value: "::1")), "\(pool)")
    }

    @Test func aHostNameIsResolved() {
        #expect(LocalAddresses.pool(listenHost: "localhost").contains(GatewayAddress(value: "127.0.0.1")))
    }
}

import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// The proxy's own address pool (where its listeners are reachable, by the host they
/// bind) and what it does with a Gateway that asks for an address outside it.
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

    /// A Gateway requesting an address outside the pool is not served (nothing binds its
    /// port) and the proxy says why; one requesting an address in it is served.
    @Test func aGatewayOnAnAddressOutsideThePoolIsNotServed() throws {
        let far = edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"])
            .replacingOccurrences(of: "name: edge", with: "name: far")
            .replacingOccurrences(of: "  listeners:", with: "  addresses: [{value: 192.0.2.1}]\n  listeners:")
        let near = edgeGatewayYAML(listeners: ["{name: http, port: 8081, protocol: HTTP}"])
            .replacingOccurrences(of: "  listeners:", with: "  addresses: [{value: 127.0.0.1}]\n  listeners:")
        let loaded = Loader.load(text: [gwsimClassYAML, far, near].joined(separator: "\n---\n"), file: "addresses.yaml", firstLoadOrder: 0)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let proxy = GatewayProxy(resources: loaded.resources, config: ProxyConfig(portMap: [8080: 0, 8081: 0]),
                                 compileOptions: CompileOptions(addressPool: LocalAddresses.pool(listenHost: "127.0.0.1")))
        let bound = try proxy.start()
        defer { proxy.stop() }
        #expect(bound.map(\.listenerPort) == [8081])
        #expect(proxy.skippedListeners.map(\.listener) == ["default/far/http"], "\(proxy.skippedListeners)")
        #expect(proxy.skippedListeners.first?.reason.contains("AddressNotUsable") == true)
    }
}

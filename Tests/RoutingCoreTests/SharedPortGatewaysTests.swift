import GatewayAPI
import RoutingCore
import Testing

/// Several Gateways on one port, as the live proxy serves them on its one address:
/// as one, without listeners that could take the same traffic as another Gateway's.
@Suite struct SharedPortGatewaysTests {
    typealias F = Fixture

    static func table(_ second: [String]) -> RoutingTable {
        F.table([
            F.gateway(name: "other", listeners: second),
            F.httpRoute("a", hostnames: ["a.example.com"], rules: "[\(rule(to: "one"))]"),
            F.httpRoute("b", parent: "{name: other, namespace: infra}", rules: "[\(rule(to: "two"))]"),
        ], gateway: F.gateway(listeners: ["{name: http, port: 80, protocol: HTTP, hostname: a.example.com, allowedRoutes: {namespaces: {from: All}}}"]))
    }

    static func listener(_ name: String, hostname: String) -> String {
        "{name: \(name), port: 80, protocol: HTTP, hostname: '\(hostname)', allowedRoutes: {namespaces: {from: All}}}"
    }

    @Test func distinctListenersOfTwoGatewaysServeAsOne() {
        let table = Self.table([Self.listener("wild", hostname: "*.example.com")])
        #expect(table.listenersLeftOut(onPort: 80).isEmpty)
        let a = table.route(get("/", host: "a.example.com"), key: "k")
        #expect(a.listener?.gateway.name == "gw" && a.backendName == "one")
        let b = table.route(get("/", host: "b.example.com"), key: "k")
        #expect(b.listener?.gateway.name == "other" && b.backendName == "two")
        for host in ["a.example.com", "b.example.com", "example.org"] {
            let request = get("/", host: host)
            #expect(FlatIndexTests.borrowedVerdict(table, request, key: "k") == table.verdict(request, key: "k"), "\(host)")
        }
    }

    /// As for conflicting listeners of one Gateway (gateway_types.go): neither wins, the others serve.
    @Test func listenersThatCouldTakeTheSameTrafficAreBothLeftOut() {
        let table = Self.table([Self.listener("same", hostname: "a.example.com"), Self.listener("wild", hostname: "*.example.com")])
        #expect(table.listenersLeftOut(onPort: 80).map(\.description) == ["infra/gw/http", "infra/other/same"])
        let a = table.route(get("/", host: "a.example.com"), key: "k")
        #expect(a.listener?.name == "wild" && a.backendName == "two")
        var named = get("/", host: "a.example.com")
        named.gateway = ObjectKey(kind: "Gateway", namespace: "infra", name: "gw")
        #expect(table.route(named, key: "k").backendName == "one")
    }
}

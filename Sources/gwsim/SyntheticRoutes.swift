import GatewayAPI
import RoutingCore

/// A synthetic cluster for benchmarks: one Gateway, `routes` HTTPRoutes spread
/// over `hostnames` hostnames, each with `rulesPerRoute` rules that mix Exact
/// and PathPrefix paths, methods and header matches, weighted backends. Built
/// in memory (no YAML) so a benchmark measures compiling, not parsing.
struct SyntheticRoutes {
    let routes: Int
    let rulesPerRoute: Int
    let hostnames: Int

    var resources: ResourceSet {
        var set = ResourceSet()
        set.apply(.gatewayClass(GatewayClass(meta: ObjectMeta(name: "bench"), controllerName: "gwsim.dev/gateway-controller")))
        set.apply(.gateway(Gateway(meta: ObjectMeta(name: "edge", namespace: "infra"), gatewayClassName: "bench",
                                   listeners: [Listener(name: "http", port: 80, protocol: .http, allowedRoutes: AllowedRoutes(from: .all))])))
        for service in 0..<50 {
            set.apply(.service(Service(meta: ObjectMeta(name: "svc-\(service)", namespace: "apps"), ports: [Service.Port(port: 8080)])))
        }
        for route in 0..<routes {
            var rules: [HTTPRouteRule] = []
            for rule in 0..<rulesPerRoute {
                let path = "/r\(route)/s\(rule)"
                var match = HTTPRouteMatch(path: HTTPPathMatch(type: rule % 3 == 0 ? .exact : .pathPrefix, value: path))
                if rule % 4 == 1 { match.method = "GET" }
                if rule % 5 == 2 { match.headers = [HTTPHeaderMatch(name: "x-tenant", value: "t\(rule)")] }
                let backends = [
                    HTTPBackendRef(ref: BackendObjectReference(name: "svc-\((route + rule) % 50)", port: 8080), weight: 3),
                    HTTPBackendRef(ref: BackendObjectReference(name: "svc-\((route + rule + 1) % 50)", port: 8080), weight: 1),
                ]
                rules.append(HTTPRouteRule(matches: [match], backendRefs: backends))
            }
            let meta = ObjectMeta(name: "route-\(route)", namespace: "apps", loadOrder: route)
            set.apply(.httpRoute(HTTPRoute(meta: meta, parentRefs: [ParentReference(namespace: "infra", name: "edge")],
                                           hostnames: [hostname(route % hostnames)], rules: rules)))
        }
        return set
    }

    func hostname(_ index: Int) -> String { "host-\(index).example.com" }

    /// A deterministic request mix: mostly hits on every kind of rule, some misses.
    /// Hostnames and header lists are shared between requests, as in both real
    /// callers: replay takes recurring strings from one table, and the proxy
    /// routes a request it has just parsed. Paths stay distinct.
    func requests(count: Int) -> [RouteRequest] {
        var result: [RouteRequest] = []
        result.reserveCapacity(count)
        let names = (0..<hostnames).map(hostname)
        let plain = [HTTPHeader(name: "user-agent", value: "bench"), HTTPHeader(name: "accept", value: "*/*")]
        let tenants = (0..<rulesPerRoute).map { plain + [HTTPHeader(name: "X-Tenant", value: "t\($0)")] }
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        for _ in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let route = Int((state >> 33) % UInt64(routes))
            let rule = Int((state >> 17) % UInt64(rulesPerRoute))
            let miss = (state >> 7) % 20 == 0
            var path = "/r\(route)/s\(rule)"
            if rule % 3 != 0 { path += "/item/\(state % 1000)" }
            if miss { path = "/nothing/here" }
            let headers = rule % 5 == 2 ? tenants[rule] : plain
            result.append(RouteRequest(port: 80, method: "GET", host: names[route % hostnames], path: path, headers: headers))
        }
        return result
    }
}

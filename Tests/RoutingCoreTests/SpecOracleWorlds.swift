import GatewayAPI
import RoutingCore

/// Drawing `SpecOracleTests`' worlds and requests from small vocabularies that collide,
/// and rendering a world as YAML for the loader.
extension SpecOracleTests {
    static let listenerHostnames: [String?] = [nil, nil, "*.a.test", "x.a.test", "b.test", "*.test", "*.x.a.test"]
    static let routeHostnames = ["a.test", "x.a.test", "*.a.test", "*.x.a.test", "y.x.a.test", "b.test", "*.b.test", "*.test", "c.test"]
    static let paths = ["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/b", "/a/bc", "/api", "/api/v1"]
    static let requestHosts = ["a.test", "x.a.test", "y.x.a.test", "z.y.x.a.test", "q.a.test", "b.test", "y.b.test", "c.test",
                               "d.test", "X.A.Test", "a.test:80", "x.a.test:8080", "test"]
    static let requestPaths = ["/", "/a", "/a/", "/a/b", "/a/b/", "/a/b/c", "/a/bc", "/ab", "/abc", "/b", "/b/x", "/api",
                               "/api/v1", "/api/v1/x", "/api/v10", "/a/7", "/c"]

    static func listeners(_ random: inout SplitMix) -> [Listener] {
        var listeners: [Listener] = []
        var taken = Set<String>()
        for index in 0...random.below(4) {
            let port = random.below(4) == 0 ? 8080 : 80
            let hostname = listenerHostnames[random.below(listenerHostnames.count)]
            // Port and hostname unique, or the listeners conflict.
            guard taken.insert("\(port) \(hostname ?? "")").inserted else { continue }
            listeners.append(Listener(name: "l\(index)", port: port, hostname: hostname, sameNamespaceOnly: random.below(6) == 0))
        }
        return listeners
    }

    static func route(_ name: String, _ random: inout SplitMix) -> Route {
        var hostnames: [String] = []
        for _ in 0..<random.below(3) { hostnames.append(routeHostnames[random.below(routeHostnames.count)]) }
        let parentChoices = [Parent(), Parent(sectionName: "l0"), Parent(sectionName: "l1"), Parent(port: 8080), Parent(port: 80),
                             Parent(sectionName: "l2", port: 80)]
        var parents = [random.below(2) == 0 ? Parent() : parentChoices[random.below(parentChoices.count)]]
        let second = parentChoices[random.below(parentChoices.count)]
        // Refs to one Gateway must all name a section, or all a port, or both (the CRD's rule).
        let first = parents[0]
        if random.below(3) == 0, second != first, (first.sectionName == nil) == (second.sectionName == nil),
           (first.port == nil) == (second.port == nil), first.sectionName != nil || first.port != nil {
            parents.append(second)
        }
        var rules: [[Match]] = []
        var withoutMatches: [Bool] = []
        for _ in 0...random.below(3) {
            let count = random.below(4)
            withoutMatches.append(count == 0)
            rules.append(count == 0 ? [Match()] : (0..<count).map { _ in match(&random) })
        }
        return Route(name: name, namespace: ["default", "default", "other", "infra"][random.below(4)],
                     hostnames: Array(Set(hostnames)).sorted(), created: 1 + random.below(3), parents: parents,
                     rules: rules, writtenWithoutMatches: withoutMatches)
    }

    static let grpcServices = ["svc.A", "svc.B", "svc", "svc.AB"]
    static let grpcMethods = ["Get", "List", "G"]

    static func grpcRoute(_ name: String, _ random: inout SplitMix) -> Route {
        var route = route(name, &random)
        route.isGRPC = true
        route.rules = route.rules.indices.map { index in
            if route.writtenWithoutMatches[index] { return [Match(grpc: (nil, nil))] }
            return (0...random.below(2)).map { _ in
                var match = Match()
                switch random.below(4) {
                case 0: match.grpc = (grpcServices[random.below(grpcServices.count)], nil)
                case 1: match.grpc = (nil, grpcMethods[random.below(grpcMethods.count)])
                default: match.grpc = (grpcServices[random.below(grpcServices.count)], grpcMethods[random.below(grpcMethods.count)])
                }
                for name in ["X-T", "x-u"] where random.below(4) == 0 { match.headers.append((name, ["blue", "red"][random.below(2)], false)) }
                return match
            }
        }
        return route
    }

    static func grpcRequest(_ random: inout SplitMix) -> RouteRequest {
        var request = request(&random)
        request.method = "POST"  // gRPC's only method; how a GET claiming gRPC is routed the spec leaves open
        request.path = "/\(grpcServices[random.below(grpcServices.count)])/\(grpcMethods[random.below(grpcMethods.count)])"
        request.headers.append(HTTPHeader(name: "content-type", value: ["application/grpc", "application/grpc+proto", "application/json"][random.below(3)]))
        return request
    }

    static func match(_ random: inout SplitMix) -> Match {
        var match = Match()
        match.path = paths[random.below(paths.count)]
        switch random.below(5) {
        case 0: match.pathType = .exact
        case 1: match.pathType = .regex; match.path += ["[0-9a-z/]*", "/[a-z]+", ""][random.below(3)]
        default: match.pathType = .prefix
        }
        if random.below(4) == 0 { match.method = ["GET", "POST"][random.below(2)] }
        for name in ["X-T", "x-u"] where random.below(4) == 0 {
            match.headers.append(random.below(3) == 0 ? (name, ["b.*", "(blue|red)", "[a-z]+e", "blue,.*"][random.below(4)], true)
                                                      : (name, ["blue", "red"][random.below(2)], false))
        }
        for name in ["q", "p"] where random.below(5) == 0 { match.query.append((name, ["1", "2"][random.below(2)])) }
        return match
    }

    static func request(_ random: inout SplitMix) -> RouteRequest {
        var headers: [HTTPHeader] = []
        for name in ["x-t", "X-U", "X-t"] where random.below(2) == 0 { headers.append(HTTPHeader(name: name, value: ["blue", "red", "Blue"][random.below(3)])) }
        var path = requestPaths[random.below(requestPaths.count)]
        switch random.below(4) {
        case 0: path += ["?q=1", "?q=2&p=1", "?p=2&q=1", "?q=1&q=2", "?q"][random.below(5)]
        default: break
        }
        return RouteRequest(port: random.below(4) == 0 ? 8080 : 80, scheme: "http", method: ["GET", "GET", "POST", "get"][random.below(4)],
                            host: requestHosts[random.below(requestHosts.count)], path: path, headers: headers)
    }

    // MARK: rendering it for the loader

    static func render(_ listeners: [Listener], _ routes: [Route]) -> String {
        var documents = [Fixture.gatewayClass]
        documents.append(Fixture.gateway(listeners: listeners.map { listener in
            let hostname = listener.hostname.map { ", hostname: \"\($0)\"" } ?? ""
            return "{name: \(listener.name), port: \(listener.port), protocol: HTTP\(hostname), allowedRoutes: {namespaces: {from: \(listener.sameNamespaceOnly ? "Same" : "All")}}}"
        }))
        documents += ["default", "other", "infra"].map { Fixture.service("one", namespace: $0) }
        for route in routes {
            let parents = route.parents.map { parent in
                "{name: gw, namespace: infra" + (parent.sectionName.map { ", sectionName: \($0)" } ?? "") + (parent.port.map { ", port: \($0)" } ?? "") + "}"
            }
            let rules = zip(route.rules, route.writtenWithoutMatches).map { matches, withoutMatches in
                let backend = "backendRefs: [{name: one, port: 80}]"
                if withoutMatches { return "{\(backend)}" }
                return "{matches: [" + matches.map(render).joined(separator: ", ") + "], \(backend)}"
            }
            let document = Fixture.httpRoute(route.name, namespace: route.namespace, hostnames: route.hostnames,
                                             created: "2020-01-0\(route.created)T00:00:00Z", parent: parents.joined(separator: ", "),
                                             rules: "[" + rules.joined(separator: ", ") + "]")
            documents.append(route.isGRPC ? document.replacingOccurrences(of: "kind: HTTPRoute", with: "kind: GRPCRoute") : document)
        }
        return documents.joined(separator: "\n---\n")
    }

    static func render(_ match: Match) -> String {
        var parts = ["path: {type: \(match.pathType.rawValue), value: \"\(match.path)\"}"]
        if let grpc = match.grpc {
            parts = ["method: {" + [grpc.service.map { "service: \($0)" }, grpc.method.map { "method: \($0)" }].compactMap { $0 }.joined(separator: ", ") + "}"]
        }
        if let method = match.method { parts.append("method: \(method)") }
        if !match.headers.isEmpty {
            parts.append("headers: [" + match.headers.map {
                "{name: \($0.name), " + ($0.isRegex ? "type: RegularExpression, " : "") + "value: \"\($0.value)\"}"
            }.joined(separator: ", ") + "]")
        }
        if !match.query.isEmpty { parts.append("queryParams: [" + match.query.map { "{name: \($0.name), value: \"\($0.value)\"}" }.joined(separator: ", ") + "]") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

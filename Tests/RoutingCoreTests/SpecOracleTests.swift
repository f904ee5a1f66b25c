import Foundation
import GatewayAPI
import RoutingCore
import Testing

/// The router against an oracle written straight from the API's text, on seeded random
/// worlds: every other routing test compares gwsim with itself (flat index against object
/// path) or with hand-picked expectations. The oracle shares no code with RoutingCore. It
/// draws a world as plain values, renders it as YAML for the loader, and decides each request
/// by brute force: every (route, rule, match) that applies, sorted by the spec's criteria.
///
/// The rules it encodes, with where they are written:
/// - listener: the one on the request's port whose hostname matches the Host most
///   specifically (gateway_types.go, Listener.Hostname; exact, then the longest wildcard,
///   then none); routes of other listeners are never candidates;
/// - attachment: parentRef sectionName and port, allowedRoutes namespaces, and at least one
///   route hostname intersecting the listener's (httproute_types.go, Hostnames);
/// - hostname precedence across routes: more characters in a matching non-wildcard
///   hostname, then in a matching hostname, the hostnames being those the route serves on
///   the listener; the most specific hostname's routes are the only candidates
///   (docs/routing.md step 3, as Envoy-based implementations read it);
/// - match precedence (HTTPRouteRule.Matches): Exact, then PathPrefix by characters, then
///   method, header count, query count; then the oldest route, `{namespace}/{name}`, rule
///   order, match order. RegularExpression paths rank as gwsim documents (implementation-
///   specific): after Exact, before every prefix, longer patterns first;
/// - GRPCRoute (grpcroute_types.go): an HTTPRoute and a GRPCRoute with intersecting
///   hostnames on one listener cannot both attach (the older, then `{namespace}/{name}`,
///   keeps it); a gRPC request takes its hostname's GRPCRoutes when there are any (the
///   kinds are never merged), ranked by characters in the service, in the method, then
///   header matches, then the same route and rule order.
@Suite struct SpecOracleTests {
    static let worlds = 60
    static let requestsPerWorld = 300

    static let listenerHostnames: [String?] = [nil, nil, "*.a.test", "x.a.test", "b.test", "*.test", "*.x.a.test"]
    static let routeHostnames = ["a.test", "x.a.test", "*.a.test", "*.x.a.test", "y.x.a.test", "b.test", "*.b.test", "*.test", "c.test"]
    static let paths = ["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/b", "/a/bc", "/api", "/api/v1"]
    static let requestHosts = ["a.test", "x.a.test", "y.x.a.test", "z.y.x.a.test", "q.a.test", "b.test", "y.b.test", "c.test",
                               "d.test", "X.A.Test", "a.test:80", "x.a.test:8080", "test"]
    static let requestPaths = ["/", "/a", "/a/", "/a/b", "/a/b/", "/a/b/c", "/a/bc", "/ab", "/abc", "/b", "/b/x", "/api",
                               "/api/v1", "/api/v1/x", "/api/v10", "/a/7", "/c"]

    // MARK: the world as values

    struct Listener {
        var name: String
        var port: Int
        var hostname: String?
        var sameNamespaceOnly: Bool
    }

    struct Match {
        enum PathType: String { case exact = "Exact", prefix = "PathPrefix", regex = "RegularExpression" }
        var pathType = PathType.prefix
        var path = "/"
        var method: String?
        /// Name, value, and whether the value is a RegularExpression (else Exact).
        var headers: [(name: String, value: String, isRegex: Bool)] = []
        var query: [(name: String, value: String)] = []
        /// A GRPCRoute's match (GRPCMethodMatch, Exact): service and method, either may be absent.
        var grpc: (service: String?, method: String?)?
    }

    struct Parent: Equatable {
        var sectionName: String?
        var port: Int?
    }

    struct Route {
        var name: String
        var namespace: String
        var hostnames: [String]
        /// Day of January 2020 it was created: equal days are ties.
        var created: Int
        var parents: [Parent]
        /// A rule without matches has one match, `PathPrefix /` (the API's default).
        var rules: [[Match]]
        var writtenWithoutMatches: [Bool]
        var isGRPC = false
    }

    struct Winner: Equatable, CustomStringConvertible {
        var namespace: String
        var name: String
        var rule: Int
        var match: Int
        var description: String { "\(namespace)/\(name) rule \(rule) match \(match)" }
    }

    // MARK: the test

    @Test func everyDecisionIsTheOneTheSpecGives() {
        var random = SplitMix(seed: 0x6f72_6163_6c65_7731)
        var compared = 0, routed = 0
        for world in 0..<Self.worlds {
            let listeners = Self.listeners(&random)
            let routes = (0..<(2 + random.below(7))).map { Self.route("r\($0)", &random) }
            let yaml = Self.render(listeners, routes)
            let loaded = Loader.load(text: yaml, file: "oracle-\(world).yaml", firstLoadOrder: 0)
            let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
            #expect(errors.isEmpty, "world \(world) is not one the API server would take: \(errors)")
            let table = Compiler.compile(loaded.resources).table
            for index in 0..<Self.requestsPerWorld {
                let request = Self.request(&random)
                let expected = Self.winner(request, listeners, routes)
                let decision = table.route(request, key: "o\(world)-\(index)")
                let got = decision.route.map { Winner(namespace: $0.namespace, name: $0.name, rule: $0.rule, match: $0.match ?? 0) }
                let what = "world \(world): \(request.method) \(request.host)\(request.path) \(request.headers.map { "\($0.name): \($0.value)" }) port \(request.port)\n\(yaml)"
                #expect(got == expected, "expected \(expected.map(\.description) ?? "404"), got \(got.map(\.description) ?? "no route") \(decision.status.map { "(\($0))" } ?? "")\n\(what)")
                if expected == nil {
                    #expect(decision.outcome == .error && decision.status == 404, "\(what)")
                }
                compared += 1
                if expected != nil { routed += 1 }
            }
        }
        // The vocabularies make requests that land and requests that do not.
        #expect(routed > compared / 5 && routed < compared * 4 / 5, "\(routed) of \(compared) routed")
    }

    /// GRPCRoutes beside HTTPRoutes: gRPC and plain requests, the kinds' hostname conflicts,
    /// gRPC precedence (service, method, header count), and each listener's attachedRoutes.
    @Test func grpcAndHTTPRoutesTogether() {
        var random = SplitMix(seed: 0x6772_7063_6f72_6731)
        var compared = 0, routedGRPC = 0
        for world in 0..<Self.worlds {
            let listeners = Self.listeners(&random)
            let routes = (0..<(2 + random.below(7))).map { random.below(2) == 0 ? Self.route("r\($0)", &random) : Self.grpcRoute("g\($0)", &random) }
            let yaml = Self.render(listeners, routes)
            let loaded = Loader.load(text: yaml, file: "oracle-\(world).yaml", firstLoadOrder: 0)
            let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
            #expect(errors.isEmpty, "world \(world) is not one the API server would take: \(errors)")
            let compiled = Compiler.compile(loaded.resources)
            let gateway = compiled.status.gateway(ObjectKey(kind: "Gateway", namespace: "infra", name: "gw"))
            for listener in listeners {
                #expect(gateway?.listeners.first { $0.name == listener.name }?.attachedRoutes == Self.attached(to: listener, routes).count,
                        "world \(world), listener \(listener.name)\n\(yaml)")
            }
            for index in 0..<Self.requestsPerWorld {
                let request = random.below(2) == 0 ? Self.request(&random) : Self.grpcRequest(&random)
                let expected = Self.winner(request, listeners, routes)
                let decision = compiled.table.route(request, key: "g\(world)-\(index)")
                let got = decision.route.map { Winner(namespace: $0.namespace, name: $0.name, rule: $0.rule, match: $0.match ?? 0) }
                let what = "world \(world): \(request.method) \(request.host)\(request.path) \(request.headers.map { "\($0.name): \($0.value)" }) port \(request.port)\n\(yaml)"
                #expect(got == expected, "expected \(expected.map(\.description) ?? "404"), got \(got.map(\.description) ?? "no route") \(decision.status.map { "(\($0))" } ?? "")\n\(what)")
                compared += 1
                if expected?.name.hasPrefix("g") == true { routedGRPC += 1 }
            }
        }
        #expect(routedGRPC > compared / 20, "\(routedGRPC) of \(compared) routed by a GRPCRoute")
    }

    /// What a controller writes back for the same worlds: each listener's attachedRoutes
    /// (the routes attached to it), and each parentRef's Accepted condition: True when the
    /// ref attaches the route to some listener; otherwise False, with the reason when every
    /// listener the ref could mean refuses it for the same one (which reason wins when they
    /// differ is the implementation's to choose).
    @Test func statusIsTheOneTheSpecGives() {
        var random = SplitMix(seed: 0x7374_6174_7573_7731)
        var refused = 0
        for world in 0..<Self.worlds {
            let listeners = Self.listeners(&random)
            let routes = (0..<(2 + random.below(7))).map { Self.route("r\($0)", &random) }
            let yaml = Self.render(listeners, routes)
            let status = Compiler.compile(Loader.load(text: yaml, file: "oracle-\(world).yaml", firstLoadOrder: 0).resources).status
            let gateway = status.gateway(ObjectKey(kind: "Gateway", namespace: "infra", name: "gw"))
            for listener in listeners {
                let attached = Self.attached(to: listener, routes).count
                #expect(gateway?.listeners.first { $0.name == listener.name }?.attachedRoutes == attached, "world \(world), listener \(listener.name)\n\(yaml)")
            }
            for route in routes {
                let parents = status.route(ObjectKey(kind: "HTTPRoute", namespace: route.namespace, name: route.name))?.parents ?? []
                for parent in route.parents {
                    let written = parents.first { $0.parentRef.sectionName == parent.sectionName && $0.parentRef.port == parent.port }
                    let accepted = written?.conditions.first { $0.type == "Accepted" }
                    let refusals = Set(listeners.map { Self.attachment(route, parent, $0) })
                    let what = "world \(world), \(route.namespace)/\(route.name) parentRef \(parent)\n\(yaml)"
                    #expect(accepted?.isTrue == refusals.contains(nil), "\(what)")
                    if !refusals.contains(nil) {
                        refused += 1
                        let reasons = refusals.isEmpty ? [Refusal.noMatchingParent] : refusals.compactMap { $0 }
                        if reasons.count == 1 { #expect(accepted?.reason == reasons[0].rawValue, "\(what)") }
                    }
                }
            }
        }
        #expect(refused > Self.worlds / 2, "\(refused) parentRefs refused")
    }

    // MARK: the oracle

    static func winner(_ request: RouteRequest, _ listeners: [Listener], _ routes: [Route]) -> Winner? {
        let host = hostWithoutPort(request.host).lowercased()
        // The listener: the most specific hostname on the request's port.
        let onPort = listeners.filter { $0.port == request.port }
        let scored = onPort.compactMap { listener in hostScore(listener.hostname ?? "*", host).map { (listener, $0) } }
        guard let listener = scored.max(by: { $0.1 < $1.1 })?.0 else { return nil }
        // The routes attached to it, each with the hostnames it serves there.
        let served = attached(to: listener, routes)
        // Only the routes of the most specific matching hostname compete.
        let best = served.map { entry in entry.hostnames.compactMap { hostScore($0, host) }.max() }
        guard let top = best.compactMap({ $0 }).max() else { return nil }
        // A gRPC request goes to that hostname's GRPCRoutes when it has any, otherwise to
        // its HTTPRoutes; the two kinds are never merged (grpcroute_types.go, Matches).
        let isGRPC = request.headers.contains { $0.name.lowercased() == "content-type" && $0.value.lowercased().hasPrefix("application/grpc") }
        let useGRPC = isGRPC && served.indices.contains { best[$0] == top && served[$0].route.isGRPC }
        var candidates: [(key: PrecedenceKey, winner: Winner)] = []
        for (index, entry) in served.enumerated() where best[index] == top && entry.route.isGRPC == useGRPC {
            let route = entry.route
            for (ruleIndex, matches) in route.rules.enumerated() {
                for (matchIndex, match) in matches.enumerated() where route.isGRPC ? appliesGRPC(match, to: request) : applies(match, to: request) {
                    let key = PrecedenceKey(match: match, created: route.created, identity: "\(route.namespace)/\(route.name)",
                                            rule: ruleIndex, index: matchIndex)
                    candidates.append((key, Winner(namespace: route.namespace, name: route.name, rule: ruleIndex, match: matchIndex)))
                }
            }
        }
        return candidates.min(by: { $0.key < $1.key })?.winner
    }

    /// The routes attached to a listener with the hostnames each serves there. An HTTPRoute
    /// and a GRPCRoute whose hostnames intersect cannot both be: the older, then the first
    /// by `{namespace}/{name}`, keeps its place, against the routes of the other kind that
    /// kept theirs (grpcroute_types.go, Hostnames).
    static func attached(to listener: Listener, _ routes: [Route]) -> [(route: Route, hostnames: [String])] {
        var kept: [(route: Route, hostnames: [String])] = []
        let candidates = routes.filter { route in route.parents.contains { attachment(route, $0, listener) == nil } }
            .sorted { ($0.created, "\($0.namespace)/\($0.name)") < ($1.created, "\($1.namespace)/\($1.name)") }
        for route in candidates {
            let hostnames = servedHostnames(route, listener)
            let overlaps = kept.contains { other in
                other.route.isGRPC != route.isGRPC && other.hostnames.contains { a in hostnames.contains { b in a == "*" || b == "*" || intersection(a, b) != nil } }
            }
            if !overlaps { kept.append((route, hostnames)) }
        }
        return kept
    }

    /// Why a parentRef does not attach a route to a listener (the route's Accepted reasons,
    /// shared_types.go RouteConditionReason); nil when it does.
    enum Refusal: String {
        /// sectionName or port names another listener.
        case noMatchingParent = "NoMatchingParent"
        /// allowedRoutes.namespaces leaves the route's namespace out.
        case notAllowedByListeners = "NotAllowedByListeners"
        /// No route hostname intersects the listener's.
        case noMatchingListenerHostname = "NoMatchingListenerHostname"
    }

    static func attachment(_ route: Route, _ parent: Parent, _ listener: Listener) -> Refusal? {
        if parent.sectionName.map({ $0 != listener.name }) ?? false || parent.port.map({ $0 != listener.port }) ?? false { return .noMatchingParent }
        if listener.sameNamespaceOnly && route.namespace != "infra" { return .notAllowedByListeners }
        return servedHostnames(route, listener).isEmpty ? .noMatchingListenerHostname : nil
    }

    /// The hostnames a route serves on a listener: its own, as far as they intersect the
    /// listener's, or the listener's when it names none.
    static func servedHostnames(_ route: Route, _ listener: Listener) -> [String] {
        route.hostnames.isEmpty ? [listener.hostname ?? "*"] : route.hostnames.compactMap { intersection($0, listener.hostname) }
    }

    /// How specifically `hostname` names `host`: exact beats wildcard, a longer wildcard a
    /// shorter one, and `*` (a listener or route without hostnames) matches anything last.
    /// nil when it does not match. `*.a.test` matches `x.a.test` and `y.x.a.test`, never `a.test`.
    static func hostScore(_ hostname: String, _ host: String) -> Int? {
        if hostname == "*" { return 0 }
        if hostname.hasPrefix("*.") {
            let suffix = hostname.dropFirst(1)  // ".a.test"
            return host.hasSuffix(suffix) && host.count > suffix.count ? 1_000 + suffix.count : nil
        }
        return hostname == host ? 2_000 + hostname.count : nil
    }

    /// The hostname a route hostname serves on a listener (httproute_types.go, Hostnames):
    /// the more specific of the two when one matches the other, nil when they do not intersect.
    static func intersection(_ routeHostname: String, _ listenerHostname: String?) -> String? {
        guard let listenerHostname else { return routeHostname }
        if routeHostname == listenerHostname { return routeHostname }
        if routeHostname.hasPrefix("*."), listenerHostname.hasSuffix(routeHostname.dropFirst(1)) { return listenerHostname }
        if listenerHostname.hasPrefix("*."), routeHostname.hasSuffix(listenerHostname.dropFirst(1)) { return routeHostname }
        return nil
    }

    static func hostWithoutPort(_ host: String) -> String {
        host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
    }

    static func applies(_ match: Match, to request: RouteRequest) -> Bool {
        let parts = request.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        switch match.pathType {
        case .exact:
            if path != match.path { return false }
        case .prefix:
            // Whole segments; a trailing slash in the prefix does not count (HTTPPathMatch).
            let prefix = match.path.hasSuffix("/") ? String(match.path.dropLast()) : match.path
            if !(prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")) { return false }
        case .regex:
            if !wholeMatch(match.path, path) { return false }
        }
        if let method = match.method, method != request.method { return false }
        for header in match.headers {
            let values = request.headers.filter { $0.name.lowercased() == header.name.lowercased() }.map(\.value)
            // Repeated request headers are one value joined with "," (docs/routing.md step 5).
            guard !values.isEmpty else { return false }
            let value = values.joined(separator: ",")
            if header.isRegex ? !wholeMatch(header.value, value) : value != header.value { return false }
        }
        let query = parts.count > 1 ? parts[1].split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) } : []
        for parameter in match.query {
            guard let first = query.first(where: { $0.first == parameter.name }), first.count == 2, first[1] == parameter.value else { return false }
        }
        return true
    }

    /// A gRPC request is `POST /service/method`; service and method compare exactly.
    static func appliesGRPC(_ match: Match, to request: RouteRequest) -> Bool {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, let grpc = match.grpc else { return false }
        if let service = grpc.service, service != parts[1] { return false }
        if let method = grpc.method, method != parts[2] { return false }
        for header in match.headers {
            let values = request.headers.filter { $0.name.lowercased() == header.name.lowercased() }.map(\.value)
            if values.isEmpty || values.joined(separator: ",") != header.value { return false }
        }
        return true
    }

    /// RE2 full match, as Envoy-based gateways read RegularExpression (docs/routing.md); the
    /// patterns drawn here mean the same in NSRegularExpression.
    static func wholeMatch(_ pattern: String, _ value: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") else { return false }
        return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// Smaller is stronger.
    struct PrecedenceKey: Comparable {
        /// Exact, then RegularExpression by pattern length, then PathPrefix by characters.
        var path: Int
        var method: Int
        var headers: Int
        var query: Int
        var created: Int
        var identity: String
        var rule: Int
        var index: Int

        init(match: Match, created: Int, identity: String, rule: Int, index: Int) {
            self.created = created
            self.identity = identity
            self.rule = rule
            self.index = index
            query = -match.query.count
            headers = -match.headers.count
            // GRPCRoute (grpcroute_types.go, Matches): characters in the service, then in
            // the method, then header matches.
            if let grpc = match.grpc {
                path = -(grpc.service?.count ?? 0)
                method = -(grpc.method?.count ?? 0)
                return
            }
            switch match.pathType {
            case .exact: path = 0
            case .regex: path = 1_000 - match.path.count
            case .prefix: path = 2_000 - match.path.count
            }
            method = match.method == nil ? 1 : 0
        }

        static func < (a: Self, b: Self) -> Bool {
            if (a.path, a.method, a.headers, a.query) != (b.path, b.method, b.headers, b.query) {
                return (a.path, a.method, a.headers, a.query) < (b.path, b.method, b.headers, b.query)
            }
            return (a.created, a.identity, a.rule, a.index) < (b.created, b.identity, b.rule, b.index)
        }
    }

    // MARK: drawing a world

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

import Foundation
import GatewayAPI
import RoutingCore

/// The oracle of `SpecOracleTests`: the spec's rules, written out by brute force over the
/// world as plain values; of RoutingCore only the request type, none of its logic.
extension SpecOracleTests {
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
        if !headersApply(match, to: request) { return false }
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
        return headersApply(match, to: request)
    }

    /// Every header match holds; names compare case-insensitively, and repeated request
    /// headers are one value joined with "," (docs/routing.md step 5).
    static func headersApply(_ match: Match, to request: RouteRequest) -> Bool {
        match.headers.allSatisfy { header in
            let values = request.headers.filter { $0.name.lowercased() == header.name.lowercased() }.map(\.value)
            guard !values.isEmpty else { return false }
            let value = values.joined(separator: ",")
            return header.isRegex ? wholeMatch(header.value, value) : value == header.value
        }
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
}

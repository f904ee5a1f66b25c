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
            let (compiled, yaml) = Self.compile(listeners, routes, world: world)
            for index in 0..<Self.requestsPerWorld {
                let expected = Self.expectOraclesWinner(Self.request(&random), key: "o\(world)-\(index)", compiled.table,
                                                        listeners, routes, what: "world \(world)", yaml)
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
            let (compiled, yaml) = Self.compile(listeners, routes, world: world)
            let gateway = compiled.status.gateway(ObjectKey(kind: "Gateway", namespace: "infra", name: "gw"))
            for listener in listeners {
                #expect(gateway?.listeners.first { $0.name == listener.name }?.attachedRoutes == Self.attached(to: listener, routes).count,
                        "world \(world), listener \(listener.name)\n\(yaml)")
            }
            for index in 0..<Self.requestsPerWorld {
                let request = random.below(2) == 0 ? Self.request(&random) : Self.grpcRequest(&random)
                let expected = Self.expectOraclesWinner(request, key: "g\(world)-\(index)", compiled.table, listeners, routes,
                                                        what: "world \(world)", yaml)
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
            let (compiled, yaml) = Self.compile(listeners, routes, world: world)
            let status = compiled.status
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

    /// The world as the loader reads it, compiled; one the API server would refuse fails the test.
    static func compile(_ listeners: [Listener], _ routes: [Route], world: Int) -> (CompiledWorld, yaml: String) {
        let yaml = render(listeners, routes)
        let loaded = Loader.load(text: yaml, file: "oracle-\(world).yaml", firstLoadOrder: 0)
        let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(errors.isEmpty, "world \(world) is not one the API server would take: \(errors)")
        return (Compiler.compile(loaded.resources), yaml)
    }

    /// The router's winning (route, rule, match) for `request` must be the oracle's, and no
    /// winner a 404; returns the oracle's.
    @discardableResult
    static func expectOraclesWinner(_ request: RouteRequest, key: String, _ table: RoutingTable, _ listeners: [Listener], _ routes: [Route],
                                    what: String, _ yaml: String) -> Winner? {
        let expected = winner(request, listeners, routes)
        let decision = table.route(request, key: key)
        let got = decision.route.map { Winner(namespace: $0.namespace, name: $0.name, rule: $0.rule, match: $0.match ?? 0) }
        let what = "\(what): \(request.method) \(request.host)\(request.path) \(request.headers.map { "\($0.name): \($0.value)" }) port \(request.port)\n\(yaml)"
        #expect(got == expected, "expected \(expected.map(\.description) ?? "404"), got \(got.map(\.description) ?? "no route") \(decision.status.map { "(\($0))" } ?? "")\n\(what)")
        if expected == nil { #expect(decision.outcome == .error && decision.status == 404, "\(what)") }
        return expected
    }
}

import GatewayAPI
import RoutingCore

/// `GET /routes`: what is served, in one JSON document: the programmed listeners (with
/// how many routes attached) and every HTTP route with its parents and rules.
enum AdminRoutesSummary {
    static func summary(world: CompiledWorld, resources: ResourceSet) -> Value {
        var attached: [String: Int] = [:]
        for gateway in world.status.gateways {
            for listener in gateway.listeners { attached["\(gateway.key.namespace)/\(gateway.key.name)/\(listener.name)"] = listener.attachedRoutes }
        }
        let listeners: [Value] = world.table.allListeners.map { listener in
            let ref = "\(listener.ref.gateway.namespace)/\(listener.ref.gateway.name)/\(listener.ref.name)"
            var pairs: [(String, Value)] = [("listener", .string(listener.ref.description)), ("port", .int(listener.ref.port)),
                                            ("protocol", .string("\(listener.protocol)"))]
            if let host = listener.hostname { pairs.append(("hostname", .string(host))) }
            pairs.append(("attachedRoutes", .int(attached[ref] ?? 0)))
            return .object(pairs)
        }
        var routes: [Value] = []
        let httpRoutes = resources.objects.values.compactMap { r -> HTTPRoute? in if case .httpRoute(let h) = r { h } else { nil } }
        for route in httpRoutes.sorted(by: { ($0.meta.namespace, $0.meta.name) < ($1.meta.namespace, $1.meta.name) }) {
            let key = ObjectKey(kind: "HTTPRoute", namespace: route.meta.namespace, name: route.meta.name)
            let parents: [Value] = (world.status.route(key)?.parents ?? []).map { parent in
                let accepted = parent.conditions.first { $0.type == "Accepted" }
                let ref = parent.parentRef
                return .object([("parent", .string("\(ref.namespace ?? route.meta.namespace)/\(ref.name)" + (ref.sectionName.map { "/\($0)" } ?? ""))),
                                ("accepted", .bool(accepted?.isTrue ?? false)), ("reason", .string(accepted?.reason ?? ""))])
            }
            let rules: [Value] = route.rules.enumerated().map { index, rule in
                let matches: [Value] = rule.matches.map { .string("\($0.path.type.rawValue) \($0.path.value)") }
                let backends: [Value] = rule.backendRefs.map { backend in
                    let ns = backend.ref.namespace ?? route.meta.namespace
                    return .object([("backend", .string("\(ns)/\(backend.ref.name)" + (backend.ref.port.map { ":\($0)" } ?? ""))),
                                    ("weight", .int(backend.weight))])
                }
                return .object([("index", .int(index)), ("matches", .array(matches)), ("backends", .array(backends))])
            }
            routes.append(.object([("route", .string(key.description)), ("hostnames", .array(route.hostnames.map { .string($0) })),
                                   ("parents", .array(parents)), ("rules", .array(rules))]))
        }
        return .object([("listeners", .array(listeners)), ("routes", .array(routes))])
    }
}

import GatewayAPI
import RoutingCore

/// `GET /routes`: what is served, in one JSON document: the programmed listeners (with
/// how many routes attached) and every route, of every kind, with its parents and rules
/// (each match in words: path, method, headers, query parameters; gRPC service/method).
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
        for (key, hostnames, rules) in Self.routes(resources) {
            let parents: [Value] = (world.status.route(key)?.parents ?? []).map { parent in
                let accepted = parent.conditions.first { $0.type == "Accepted" }
                let ref = parent.parentRef
                return .object([("parent", .string("\(ref.namespace ?? key.namespace)/\(ref.name)" + (ref.sectionName.map { "/\($0)" } ?? ""))),
                                ("accepted", .bool(accepted?.isTrue ?? false)), ("reason", .string(accepted?.reason ?? ""))])
            }
            let ruleValues: [Value] = rules.enumerated().map { index, rule in
                let backends: [Value] = rule.backends.map { backend in
                    let ns = backend.ref.namespace ?? key.namespace
                    return .object([("backend", .string("\(ns)/\(backend.ref.name)" + (backend.ref.port.map { ":\($0)" } ?? ""))),
                                    ("weight", .int(backend.weight))])
                }
                return .object([("index", .int(index)), ("matches", .array(rule.matches.map { .string($0) })), ("backends", .array(backends))])
            }
            routes.append(.object([("route", .string(key.description)), ("hostnames", .array(hostnames.map { .string($0) })),
                                   ("parents", .array(parents)), ("rules", .array(ruleValues))]))
        }
        return .object([("listeners", .array(listeners)), ("routes", .array(routes))])
    }

    /// Every route, sorted by key: its hostnames, and per rule its matches in words and backends.
    static func routes(_ resources: ResourceSet) -> [(ObjectKey, [String], [(matches: [String], backends: [HTTPBackendRef])])] {
        resources.sorted.compactMap { resource in
            switch resource {
            case .httpRoute(let route):
                return (resource.key, route.hostnames, route.rules.map { ($0.matches.map(describe), $0.backendRefs) })
            case .grpcRoute(let route):
                return (resource.key, route.hostnames, route.rules.map { ($0.matches.map(describe), $0.backendRefs) })
            case .l4Route(let route):
                return (resource.key, route.hostnames, route.rules.map { ([], $0.backendRefs) })
            default:
                return nil
            }
        }
    }

    static func describe(_ match: HTTPRouteMatch) -> String {
        var parts = ["\(match.path.type.rawValue) \(match.path.value)"]
        if let method = match.method { parts.append("method \(method)") }
        parts += match.headers.map { "header \($0.name) \($0.type.rawValue) \($0.value)" }
        parts += match.queryParams.map { "query \($0.name) \($0.type.rawValue) \($0.value)" }
        return parts.joined(separator: ", ")
    }

    static func describe(_ match: GRPCRouteMatch) -> String {
        var parts: [String] = []
        if let method = match.method {
            parts.append("\(method.type.rawValue) \(method.service ?? "*")/\(method.method ?? "*")")
        }
        parts += match.headers.map { "header \($0.name) \($0.type.rawValue) \($0.value)" }
        return parts.isEmpty ? "any" : parts.joined(separator: ", ")
    }
}

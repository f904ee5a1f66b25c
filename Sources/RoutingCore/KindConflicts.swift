import GatewayAPI

/// HTTPRoute and GRPCRoute on one listener with intersecting hostnames
/// (grpcroute_types.go, GRPCRouteSpec hostnames): exactly one of the two may be
/// accepted, the oldest, then the first by `{namespace}/{name}`. The other loses
/// its attachment to that listener; a parent left with no listener is not Accepted.
enum KindConflicts {
    static func resolve(_ attached: inout [(CompiledRoute, [Attachment])], statuses: inout [RouteStatus], gateways: inout [GatewayState]) {
        struct Entry { let route: Int; let attachment: Int }
        var byListener: [[Int]: [Entry]] = [:]
        for (routeIndex, (route, attachments)) in attached.enumerated() where route.view.kind == "HTTPRoute" || route.view.kind == "GRPCRoute" {
            for (index, attachment) in attachments.enumerated() {
                byListener[[attachment.gatewayIndex, attachment.listenerIndex], default: []].append(Entry(route: routeIndex, attachment: index))
            }
        }
        var removed = Set<[Int]>() // [route, attachment]
        var losers: [ObjectKey: (parents: Set<Int>, winner: ObjectKey)] = [:]
        for entries in byListener.values {
            let http = entries.filter { attached[$0.route].0.view.kind == "HTTPRoute" }
            let grpc = entries.filter { attached[$0.route].0.view.kind == "GRPCRoute" }
            guard !http.isEmpty, !grpc.isEmpty else { continue }
            for a in http {
                for b in grpc {
                    let viewA = attached[a.route].0.view, viewB = attached[b.route].0.view
                    guard intersects(attached[a.route].1[a.attachment].hostnames, attached[b.route].1[b.attachment].hostnames) else { continue }
                    let aWins = viewA.meta.isOlder(than: viewB.meta)
                        || (!viewB.meta.isOlder(than: viewA.meta) && "\(viewA.meta.namespace)/\(viewA.meta.name)" < "\(viewB.meta.namespace)/\(viewB.meta.name)")
                    let loser = aWins ? b : a
                    let winner = aWins ? viewA.key : viewB.key
                    guard removed.insert([loser.route, loser.attachment]).inserted else { continue }
                    let attachment = attached[loser.route].1[loser.attachment]
                    gateways[attachment.gatewayIndex].listeners[attachment.listenerIndex].attachedRoutes -= 1
                    let key = attached[loser.route].0.view.key
                    losers[key, default: ([], winner)].parents.insert(attachment.parentIndex)
                }
            }
        }
        guard !removed.isEmpty else { return }
        for routeIndex in attached.indices {
            attached[routeIndex].1 = attached[routeIndex].1.enumerated().filter { !removed.contains([routeIndex, $0.offset]) }.map(\.element)
        }
        for (statusIndex, status) in statuses.enumerated() {
            guard let loss = losers[status.key], let route = attached.first(where: { $0.0.view.key == status.key }) else { continue }
            for parentIndex in loss.parents where !route.1.contains(where: { $0.parentIndex == parentIndex }) {
                let generation = statuses[statusIndex].parents[parentIndex].conditions.first?.observedGeneration ?? 1
                statuses[statusIndex].parents[parentIndex].conditions[0] = Condition(
                    "Accepted", false, reason: "NotAllowedByListeners",
                    message: "\(loss.winner.kind) \(loss.winner.namespace)/\(loss.winner.name) already serves an intersecting hostname on this listener",
                    observedGeneration: generation)
            }
        }
        attached.removeAll { $0.1.isEmpty }
    }

    static func intersects(_ a: [String], _ b: [String]) -> Bool {
        for x in a {
            for y in b {
                if x == "*" || y == "*" || Hostnames.intersect(listener: x, route: y) != nil { return true }
            }
        }
        return false
    }
}

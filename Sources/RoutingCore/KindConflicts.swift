import GatewayAPI

/// HTTPRoute and GRPCRoute on one listener with intersecting hostnames
/// (grpcroute_types.go, GRPCRouteSpec hostnames): exactly one of the two may be
/// accepted, the oldest, then the first by `{namespace}/{name}`. The other loses
/// its attachment to that listener; a parent left with no listener is not Accepted.
///
/// The rule is about routes already attached, so the listener's routes are taken
/// oldest first and each one only competes with those of the other kind that kept
/// their attachment: a GRPCRoute that lost to an older HTTPRoute does not in turn
/// push out a younger HTTPRoute.
enum KindConflicts {
    static func resolve(_ attached: inout [(CompiledRoute, [Attachment])], statuses: inout [RouteStatus], gateways: inout [GatewayState]) {
        struct Entry { let route: Int; let attachment: Int }
        var byListener: [[Int]: [Entry]] = [:]
        for (routeIndex, (route, attachments)) in attached.enumerated() where route.view.kind == "HTTPRoute" || route.view.kind == "GRPCRoute" {
            for (index, attachment) in attachments.enumerated() {
                byListener[[attachment.gatewayIndex, attachment.listenerIndex], default: []].append(Entry(route: routeIndex, attachment: index))
            }
        }
        func precedes(_ a: Entry, _ b: Entry) -> Bool {
            let metaA = attached[a.route].0.view.meta, metaB = attached[b.route].0.view.meta
            if metaA.isOlder(than: metaB) { return true }
            if metaB.isOlder(than: metaA) { return false }
            return (metaA.namespace, metaA.name, a.attachment) < (metaB.namespace, metaB.name, b.attachment)
        }
        var removed = Set<[Int]>() // [route, attachment]
        var losers: [ObjectKey: (parents: Set<Int>, winner: ObjectKey)] = [:]
        for entries in byListener.values {
            let kinds = Set(entries.map { attached[$0.route].0.view.kind })
            guard kinds.count == 2 else { continue }
            var kept: [Entry] = []
            for entry in entries.sorted(by: precedes) {
                let view = attached[entry.route].0.view
                let hostnames = attached[entry.route].1[entry.attachment].hostnames
                guard let winner = kept.first(where: {
                    attached[$0.route].0.view.kind != view.kind && intersects(attached[$0.route].1[$0.attachment].hostnames, hostnames)
                }) else {
                    kept.append(entry)
                    continue
                }
                removed.insert([entry.route, entry.attachment])
                let attachment = attached[entry.route].1[entry.attachment]
                gateways[attachment.gatewayIndex].listeners[attachment.listenerIndex].attachedRoutes -= 1
                losers[view.key, default: ([], attached[winner.route].0.view.key)].parents.insert(attachment.parentIndex)
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

import GatewayAPI

/// Builds the immutable routing table from attached routes: one virtual host
/// per (listener, hostname) for HTTP and gRPC, one entry list per (listener,
/// SNI) for layer-4 routes.
enum TableBuilder {
    static func build(gateways: [GatewayState], routes: [(CompiledRoute, [Attachment])], context: CompileContext) -> RoutingTable {
        let listeners: [[CompiledListener]] = gateways.map { gateway in
            gateway.listeners.map {
                CompiledListener(ref: $0.ref, hostname: $0.hostname, proto: $0.listener.protocol,
                                 tlsMode: $0.listener.tls?.mode ?? ($0.listener.protocol == .tls ? .passthrough : nil))
            }
        }
        var rules: [CompiledRule] = []
        for (route, attachments) in routes {
            // Rule slots of this route within the table's flat rule list.
            var slots: [Int: Int] = [:]
            for (index, rule) in route.rules.enumerated() {
                guard let rule else { continue }
                slots[index] = rules.count
                rules.append(rule)
            }
            for attachment in attachments {
                let state = gateways[attachment.gatewayIndex].listeners[attachment.listenerIndex]
                guard state.programmed else { continue }
                if route.view.kind == "HTTPRoute" || route.view.kind == "GRPCRoute" {
                    let listener = listeners[attachment.gatewayIndex][attachment.listenerIndex]
                    for hostname in attachment.hostnames {
                        let vhost = listener.vhosts[hostname] ?? VirtualHost(hostname: hostname)
                        for match in route.matches {
                            guard let slot = slots[match.ruleSlot] else { continue }
                            vhost.add(match.withSlot(slot))
                        }
                        listener.vhosts[hostname] = vhost
                    }
                } else {
                    for (index, rule) in route.rules.enumerated() {
                        guard let rule, slots[index] != nil else { continue }
                        let entry = L4Entry(rule: rule, age: route.view.meta, name: "\(route.view.meta.namespace)/\(route.view.meta.name)")
                        for hostname in attachment.hostnames {
                            listeners[attachment.gatewayIndex][attachment.listenerIndex].l4[hostname, default: []].append(entry)
                        }
                    }
                }
            }
        }
        for listener in listeners.joined() {
            for vhost in listener.vhosts.values { vhost.sort() }
            listener.hasWildcardHosts = listener.vhosts.keys.contains { $0.hasPrefix("*.") }
            for key in listener.l4.keys {
                listener.l4[key]!.sort { a, b in
                    if a.name != b.name {
                        if a.age.isOlder(than: b.age) { return true }
                        if b.age.isOlder(than: a.age) { return false }
                        return a.name < b.name
                    }
                    return a.rule.ref.rule < b.rule.ref.rule
                }
            }
        }
        var byGateway: [ObjectKey: [CompiledListener]] = [:]
        var programmed: [ObjectKey: [Bool]] = [:]
        for (index, gateway) in gateways.enumerated() {
            byGateway[gateway.key] = listeners[index]
            programmed[gateway.key] = gateway.listeners.map(\.programmed)
        }
        return RoutingTable(listeners: byGateway, programmed: programmed, rules: rules)
    }
}

extension CompiledMatch {
    func withSlot(_ slot: Int) -> CompiledMatch {
        CompiledMatch(ruleSlot: slot, ref: ref, path: path, method: method, headers: headers, queryParams: queryParams,
                      grpcService: grpcService, grpcMethod: grpcMethod, precedence: precedence)
    }
}

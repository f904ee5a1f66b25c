import GatewayAPI

/// Routes a layer-4 connection: TLS by SNI among TLSRoutes (the most specific
/// hostname wins, then the oldest route), TCP and UDP to the oldest route on the
/// listener (tcproute_types.go: one route per listener is all that is defined).
struct L4Router {
    let table: RoutingTable
    let request: ConnectionRequest
    let key: String

    func decide() -> Decision {
        let forwarded = ForwardedRequest(method: "", scheme: request.protocol.description.lowercased(),
                                         host: request.sni ?? "", path: "", headers: [])
        let entry: RoutingTable.PortGateway
        switch table.gateway(for: request.gateway, port: request.port) {
        case .success(let hit): entry = hit
        case .failure(let failure): return Decision(outcome: .error, status: 404, reason: failure.message, request: forwarded)
        }
        let sni = request.sni.map { Hostnames.normalizeHost($0) } ?? ""
        if request.protocol == .tls, let taker = RoutingTable.tlsFamilyListener(in: entry.listeners, sni: request.sni), taker.proto == .https {
            return Decision(listener: taker.ref, outcome: .error, status: 404,
                            reason: "HTTPS listener \(taker.ref.name) on port \(request.port) takes \(sni.isEmpty ? "a connection without SNI" : sni): "
                                + "the gateway terminates TLS there and routes the HTTP requests inside",
                            request: forwarded)
        }
        guard let listener = RoutingTable.listener(in: entry.listeners, proto: request.protocol, host: sni) else {
            return Decision(outcome: .error, status: 404, reason: "no \(request.protocol) listener on port \(request.port) accepts \(sni.isEmpty ? "the connection" : sni)", request: forwarded)
        }
        let keys = request.protocol == .tls ? Hostnames.lookupKeys(for: sni) : ["*"]
        for hostKey in keys {
            guard let entry = listener.l4[hostKey]?.first else { continue }
            var decision = Decision(listener: listener.ref, route: entry.rule.ref, outcome: .forward, request: forwarded)
            decision.backends = entry.rule.weightedBackends
            guard let pick = entry.rule.pick(key: key) else {
                decision.outcome = .error
                decision.reason = entry.rule.backends.isEmpty ? "rule has no backendRefs" : "every backendRef has weight 0"
                return decision
            }
            let backend = entry.rule.backends[pick]
            decision.backend = backend.ref
            if !backend.valid {
                // A connection to an invalid backend is refused (no HTTP status exists here).
                decision.outcome = .error
                decision.reason = backend.invalidReason
            }
            return decision
        }
        return Decision(listener: listener.ref, outcome: .error, reason: "no route attached to the listener accepts \(sni.isEmpty ? "the connection" : sni)", request: forwarded)
    }
}

import GatewayAPI

/// A layer-4 connection as it reaches a Gateway (TLS passthrough, TCP, UDP).
public struct ConnectionRequest: Sendable, Hashable {
    public var gateway: ObjectKey?
    public var port: Int
    public var `protocol`: ListenerProtocol
    public var sni: String?
    public init(gateway: ObjectKey? = nil, port: Int, protocol: ListenerProtocol, sni: String? = nil) {
        self.gateway = gateway
        self.port = port
        self.protocol = `protocol`
        self.sni = sni
    }
}

/// The compiled, immutable routing table. Built once per resource snapshot by
/// `Compiler.compile`, shared by replay threads and the proxy, swapped whole.
public final class RoutingTable: Sendable {
    let listeners: [ObjectKey: [CompiledListener]]
    let programmed: [ObjectKey: [Bool]]
    let rules: [CompiledRule]
    /// Per port, the Gateways (sorted) with their programmed listeners on it: a
    /// request finds its candidate listeners with one integer lookup.
    let byPort: [Int: [PortGateway]]
    /// The hot-path index over the same listeners (FlatTable.swift).
    let flat: FlatTable

    /// Ports where several Gateways listen, their listeners served as one (`merge`).
    let mergedByPort: [Int: PortGateway]

    struct PortGateway: Sendable {
        let gateway: ObjectKey
        let listeners: [CompiledListener]
        /// The Gateways this entry serves as one, when several (`merge`); empty otherwise.
        var merged: [ObjectKey] = []
        /// Listeners of those Gateways left out of the merge: each could take the same
        /// traffic as a listener of another of them.
        var leftOut: [ListenerRef] = []

        /// The Gateway a request routed here names: none when several are served as one.
        var requestGateway: ObjectKey? { merged.isEmpty ? gateway : nil }

        var name: String { RoutingTable.names(merged.isEmpty ? [gateway] : merged) }
    }

    init(listeners: [ObjectKey: [CompiledListener]], programmed: [ObjectKey: [Bool]], rules: [CompiledRule]) {
        self.listeners = listeners
        self.programmed = programmed
        self.rules = rules
        var byPort: [Int: [PortGateway]] = [:]
        for key in listeners.keys.sorted() {
            let live = listeners[key]!.indices.filter { programmed[key]![$0] }.map { listeners[key]![$0] }
            for port in Set(live.map(\.ref.port)).sorted() {
                byPort[port, default: []].append(PortGateway(gateway: key, listeners: live.filter { $0.ref.port == port }))
            }
        }
        self.byPort = byPort
        self.mergedByPort = byPort.compactMapValues(Self.merge)
        self.flat = FlatTableBuilder.build(byPort: byPort, rules: rules)
    }

    /// Several Gateways on one port, as one: the live proxy serves every Gateway on its
    /// one address, which gateway_types.go (Compatible Listeners) allows for listeners
    /// that are compatible. Two listeners of different Gateways that could take the same
    /// traffic (the conflicts GatewayPhase reports within one Gateway) are both left out,
    /// as the spec has conflicting listeners of one Gateway treated: neither wins. Nil for one Gateway.
    private static func merge(_ entries: [PortGateway]) -> PortGateway? {
        guard entries.count > 1 else { return nil }
        var leftOut = Set<ListenerRef>()
        for (i, a) in entries.enumerated() {
            for b in entries[(i + 1)...] {
                for x in a.listeners {
                    for y in b.listeners where !ProtocolKinds.distinct(x, y) {
                        leftOut.insert(x.ref)
                        leftOut.insert(y.ref)
                    }
                }
            }
        }
        let all = entries.flatMap(\.listeners)
        return PortGateway(gateway: entries[0].gateway, listeners: all.filter { !leftOut.contains($0.ref) },
                           merged: entries.map(\.gateway), leftOut: all.map(\.ref).filter(leftOut.contains))
    }

    /// The Gateways (sorted) with a programmed listener on `port`.
    public func gateways(listeningOn port: Int) -> [ObjectKey] { (byPort[port] ?? []).map(\.gateway) }

    /// `ns/name, ns/name` of the Gateways listening on `port`, for messages.
    public func gatewayNames(onPort port: Int) -> String { Self.names(gateways(listeningOn: port)) }

    static func names(_ gateways: [ObjectKey]) -> String {
        gateways.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", ")
    }

    /// Listeners on `port` that a request naming no Gateway never reaches: several Gateways
    /// listen there and each of these could take the same traffic as another's (`merge`).
    public func listenersLeftOut(onPort port: Int) -> [ListenerRef] { mergedByPort[port]?.leftOut ?? [] }

    /// Every programmed listener, sorted by gateway then listener order (the proxy binds these).
    public var allListeners: [(ref: ListenerRef, protocol: ListenerProtocol, hostname: String?)] {
        listeners.keys.sorted().flatMap { key in
            listeners[key]!.indices.filter { programmed[key]![$0] }.map {
                (listeners[key]![$0].ref, listeners[key]![$0].proto, listeners[key]![$0].hostname)
            }
        }
    }

    /// Routes one HTTP (or gRPC) request. `key` drives every weighted or
    /// sampled choice (backend, mirrors), so the same key always gets the same
    /// answer. With `explain`, the decision lists every competing match.
    public func route(_ request: RouteRequest, key: String, explain: Bool = false) -> Decision {
        HTTPRouter.decide(table: self, request: request, key: key, explain: explain)
    }

    /// Routes one layer-4 connection.
    public func routeConnection(_ request: ConnectionRequest, key: String) -> Decision {
        L4Router(table: self, request: request, key: key).decide()
    }

    /// The Gateway a request names, or the one Gateway listening on its port,
    /// with its programmed listeners on that port.
    func gateway(for requested: ObjectKey?, port: Int) -> Result<PortGateway, RoutingFailure> {
        let candidates = byPort[port] ?? []
        if let requested {
            if let hit = candidates.first(where: { $0.gateway == requested }) { return .success(hit) }
            if listeners[requested] == nil {
                return .failure(RoutingFailure("Gateway \(requested.namespace)/\(requested.name) is not programmed"))
            }
            return .failure(RoutingFailure("Gateway \(requested.namespace)/\(requested.name) has no programmed listener on port \(port)"))
        }
        switch candidates.count {
        case 0: return .failure(RoutingFailure("no Gateway listens on port \(port)"))
        case 1: return .success(candidates[0])
        default: return .success(mergedByPort[port]!)
        }
    }

    /// Which listener a TLS ClientHello reaches where HTTPS and TLS listeners share
    /// a port: both select by SNI (gateway_types.go, Listener hostname: the most
    /// specific match wins), and the choice is made before any HTTP is read, so a
    /// TLS listener naming the server more specifically than every HTTPS listener
    /// takes the connection; on a tie HTTPS keeps it. No SNI (nil) matches only
    /// listeners without a hostname. Nil when none of the HTTPS or TLS listeners match.
    static func tlsFamilyListener(in candidates: [CompiledListener], sni: String?) -> CompiledListener? {
        let host = sni.map { Hostnames.normalizeHost($0) } ?? ""
        let https = listener(in: candidates, proto: .https, host: host)
        guard let tls = listener(in: candidates, proto: .tls, host: host) else { return https }
        guard let https else { return tls }
        return rank(tls, host: host)! > rank(https, host: host)! ? tls : https
    }

    /// Whether a TLS listener, not an HTTPS one, takes a ClientHello naming `sni`
    /// on `port` (`tlsFamilyListener`): the live proxy asks before it terminates TLS.
    public func tlsListenerTakes(gateway: ObjectKey?, port: Int, sni: String?) -> Bool {
        guard case .success(let entry) = self.gateway(for: gateway, port: port) else { return false }
        return Self.tlsFamilyListener(in: entry.listeners, sni: sni)?.proto == .tls
    }

    /// The most specific listener of `candidates` whose hostname matches `host`
    /// and whose protocol is `proto` (gateway_types.go, Listener hostname).
    static func listener(in candidates: [CompiledListener], proto: ListenerProtocol, host: String) -> CompiledListener? {
        var best: (listener: CompiledListener, rank: Int)?
        for listener in candidates where listener.proto == proto {
            guard let rank = rank(listener, host: host) else { continue }
            if best == nil || rank > best!.rank { best = (listener, rank) }
        }
        return best?.listener
    }

    /// How specifically `listener` names `host`: exact, then longer wildcards, then
    /// no hostname; nil when it does not match.
    private static func rank(_ listener: CompiledListener, host: String) -> Int? {
        guard let hostname = listener.hostname else { return 0 }
        guard Hostnames.matches(pattern: hostname, host: host) else { return nil }
        return Hostnames.isWildcard(hostname) ? 1_000 + hostname.count : 1_000_000
    }
}

/// Why a request could not be placed on a Gateway.
struct RoutingFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

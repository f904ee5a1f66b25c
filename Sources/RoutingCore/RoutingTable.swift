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
    /// Gateways (sorted) with a programmed listener on each port.
    let gatewaysByPort: [Int: [ObjectKey]]

    init(listeners: [ObjectKey: [CompiledListener]], programmed: [ObjectKey: [Bool]], rules: [CompiledRule]) {
        self.listeners = listeners
        self.programmed = programmed
        self.rules = rules
        var byPort: [Int: [ObjectKey]] = [:]
        for key in listeners.keys.sorted() {
            let ports = Set(listeners[key]!.indices.filter { programmed[key]![$0] }.map { listeners[key]![$0].ref.port })
            for port in ports { byPort[port, default: []].append(key) }
        }
        self.gatewaysByPort = byPort
    }

    /// The Gateways (sorted) with a programmed listener on `port`.
    public func gateways(listeningOn port: Int) -> [ObjectKey] { gatewaysByPort[port] ?? [] }

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

    /// The Gateway a request names, or the one Gateway listening on its port.
    func gateway(for requested: ObjectKey?, port: Int) -> Result<ObjectKey, RoutingFailure> {
        if let requested {
            guard listeners[requested] != nil else { return .failure(RoutingFailure("Gateway \(requested.namespace)/\(requested.name) is not programmed")) }
            return .success(requested)
        }
        let candidates = gateways(listeningOn: port)
        switch candidates.count {
        case 0: return .failure(RoutingFailure("no Gateway listens on port \(port)"))
        case 1: return .success(candidates[0])
        default:
            return .failure(RoutingFailure("several Gateways listen on port \(port): "
                + candidates.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", ") + "; name one"))
        }
    }

    /// The most specific programmed listener whose hostname matches `host`, among
    /// those on `port` accepting one of `protocols` (gateway_types.go, Listener hostname).
    func listener(gateway: ObjectKey, port: Int, protocols: [ListenerProtocol], host: String) -> Int? {
        guard let all = listeners[gateway], let flags = programmed[gateway] else { return nil }
        var best: (index: Int, rank: Int)?
        for (index, listener) in all.enumerated() where flags[index] && listener.ref.port == port && protocols.contains(listener.proto) {
            let rank: Int
            if let hostname = listener.hostname {
                guard Hostnames.matches(pattern: hostname, host: host) else { continue }
                rank = Hostnames.isWildcard(hostname) ? 1_000 + hostname.count : 1_000_000
            } else {
                rank = 0
            }
            if best == nil || rank > best!.rank { best = (index, rank) }
        }
        return best?.index
    }
}

/// Why a request could not be placed on a Gateway.
struct RoutingFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

import GatewayAPI
import RoutingCore

/// Which server each listener port needs, from a world: the sockets `GatewayProxy` binds at
/// start and re-binds after every swap (a listener added through the admin API is served
/// once the change is swapped in; a removed one stops being served).
///
/// Stream ports (HTTP, HTTPS, TLS, TCP) and UDP ports are separate sockets, so a TCP and a
/// UDP listener may share a number. HTTPS and TLS listeners on one port are served by the
/// HTTPS server, which hands a connection to the TLS listener its SNI selects
/// (`ListenerPipeline.configureHTTPS`). Otherwise the first kind in `ListenerPortKind`
/// order wins on a stream port and listeners of another kind there are not served (the
/// routing core reports those protocol conflicts in the Gateway's status).
struct ListenerPortPlan: Equatable, Sendable {
    struct Key: Hashable, Comparable, Sendable {
        var port: Int
        var udp: Bool
        static func < (a: Key, b: Key) -> Bool { (a.port, a.udp ? 1 : 0) < (b.port, b.udp ? 1 : 0) }
    }

    struct Port: Equatable, Sendable {
        var kind: ListenerPortKind
        /// `ns/gateway/listener`, sorted.
        var listeners: [String]
    }

    var ports: [Key: Port] = [:]

    init(world: ProxyWorld) {
        var kinds: [Key: [ListenerPortKind: [String]]] = [:]
        for listener in world.table.allListeners {
            let name = listener.ref.description
            let kind: ListenerPortKind
            switch listener.protocol {
            case .http: kind = .http
            case .https:
                guard world.tls.serves(listener: name, port: listener.ref.port) else { continue }
                kind = .https
            case .tls: kind = .tls
            case .tcp: kind = .tcp
            case .udp: kind = .udp
            case .other: continue
            }
            kinds[Key(port: listener.ref.port, udp: kind == .udp), default: [:]][kind, default: []].append(name)
        }
        for (key, byKind) in kinds {
            let kind = byKind.keys.min()!
            let served = kind == .https ? byKind[.https]! + (byKind[.tls] ?? []) : byKind[kind]!
            ports[key] = Port(kind: kind, listeners: served.sorted())
        }
    }
}

/// The server behind a listener port, in precedence order on a shared stream port.
public enum ListenerPortKind: String, Sendable, Hashable, Comparable, CaseIterable {
    case http, https, tls, tcp, udp

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

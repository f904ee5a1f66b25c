import EventLog
import NIOConcurrencyHelpers
import NIOCore
import RoutingCore

/// What the data plane routes with: a compiled table and the endpoints of its backends,
/// from the same resource snapshot. Swapped whole; a request keeps the one it started with.
public struct ProxyWorld: Sendable {
    public let world: CompiledWorld
    public let resolver: BackendResolver
    /// Server certificates of the HTTPS listeners (see `TLSCertificates`).
    public let tls: TLSCertificates
    /// CA bundles for gateway-to-backend TLS (see `BackendTLSTrust`).
    public let backendTLS: BackendTLSTrust
    public init(world: CompiledWorld, resolver: BackendResolver, tls: TLSCertificates = TLSCertificates(),
                backendTLS: BackendTLSTrust = BackendTLSTrust()) {
        self.world = world
        self.resolver = resolver
        self.tls = tls
        self.backendTLS = backendTLS
    }
    public var table: RoutingTable { world.table }
}

/// State shared by every connection of one proxy: the current world, the balancers, the
/// pool and the counters `stop()` drains on. Thread-safe; handlers reach it from any loop.
final class ProxyRuntime: Sendable {
    let config: ProxyConfig
    let endpoints = EndpointPool()
    let connections = ConnectionPool()
    /// Shared HTTP/2 connections to h2c backends (see `UpstreamProtocol`).
    let http2Connections = HTTP2ConnectionPool()
    let ids = RequestIDGenerator()
    let onRequest: (@Sendable (RequestRecord) -> Void)?
    private let current: NIOLockedValueBox<ProxyWorld>
    private let counters = NIOLockedValueBox(Counters())
    private let clients = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    struct Counters {
        var inFlight = 0
        var requests = 0
        var malformed = 0
        var draining = false
    }

    init(world: ProxyWorld, config: ProxyConfig, onRequest: (@Sendable (RequestRecord) -> Void)?) {
        self.config = config
        self.onRequest = onRequest
        self.current = NIOLockedValueBox(world)
    }

    var world: ProxyWorld { current.withLockedValue { $0 } }
    func swap(_ world: ProxyWorld) { current.withLockedValue { $0 = world } }

    /// Counts a new request; returns whether the proxy is draining (one critical section
    /// per request instead of two).
    @discardableResult
    func requestStarted() -> Bool {
        counters.withLockedValue { $0.inFlight += 1; $0.requests += 1; return $0.draining }
    }
    func requestFinished() { counters.withLockedValue { $0.inFlight -= 1 } }
    func malformedRequest() { counters.withLockedValue { $0.malformed += 1 } }
    func startDraining() { counters.withLockedValue { $0.draining = true } }
    var isDraining: Bool { counters.withLockedValue { $0.draining } }
    var snapshot: Counters { counters.withLockedValue { $0 } }

    func clientOpened(_ channel: any Channel) {
        clients.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = clients.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    /// Every open client connection (stop closes them after the drain).
    var openClients: [any Channel] { clients.withLockedValue { Array($0.values) } }
}

import EventLog
import NIOConcurrencyHelpers
import NIOCore
import RoutingCore

/// What the data plane routes with: a compiled table and the endpoints of its backends,
/// from the same resource snapshot. Swapped whole; a request keeps the one it started with.
/// A class, not a struct: every request takes the current world out of the runtime's
/// lock, and copying a struct of this many references cost about as much as routing it.
public final class ProxyWorld: Sendable {
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

/// Which world routed a request: the number of swaps before it. The recorder orders a
/// change's resource events after the requests of the epoch it ends (`AdminRecorder`).
public struct RoutingEpoch: Sendable, Hashable, Comparable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: RoutingEpoch, b: RoutingEpoch) -> Bool { a.value < b.value }
}

/// State shared by every connection of one proxy: the current world, the balancers, the
/// pool and the counters `stop()` drains on. Thread-safe; handlers reach it from any loop.
final class ProxyRuntime: Sendable {
    let config: ProxyConfig
    let endpoints = EndpointPool()
    let connections: ConnectionPool<UpstreamHandler>
    /// Backend connections of the byte path (`FastPathHandler`): no HTTP codec on them.
    let rawConnections: ConnectionPool<RawUpstreamHandler>
    /// Shared HTTP/2 connections to h2c backends (see `UpstreamProtocol`).
    let http2Connections: HTTP2ConnectionPool
    let ids = RequestIDGenerator()
    /// Gets each finished exchange with the epoch of the world that routed it.
    let onRequest: (@Sendable (consuming RequestRecord, RoutingEpoch) -> Void)?
    private let state: NIOLockedValueBox<State>
    private let clients = NIOLockedValueBox([ObjectIdentifier: any Channel]())
    /// Each event loop's `TickFlusher`, made on first use. A flusher holds its loop, so a
    /// loop's identifier cannot be reused by another while this runtime lives.
    private let tickFlushers = NIOLockedValueBox([ObjectIdentifier: TickFlusher]())

    struct Counters {
        var inFlight = 0
        var requests = 0
        var malformed = 0
        var draining = false
    }

    /// One lock for what each request touches: the world it routes with, numbered by swaps
    /// (its epoch), how many HTTP requests routed with it (`inFlightNow`) or with an earlier
    /// one (`inFlightBefore`) are not yet recorded, and the counters. Three critical
    /// sections per request: started, routed, finished.
    struct State {
        var world: ProxyWorld
        var epoch = RoutingEpoch(0)
        var inFlightNow = 0
        var inFlightBefore = 0
        var counters = Counters()
    }

    init(world: ProxyWorld, config: ProxyConfig, onRequest: (@Sendable (consuming RequestRecord, RoutingEpoch) -> Void)?) {
        self.config = config
        self.onRequest = onRequest
        self.state = NIOLockedValueBox(State(world: world))
        connections = ConnectionPool(maxAge: config.upstreamIdleTimeout)
        rawConnections = ConnectionPool(maxAge: config.upstreamIdleTimeout)
        http2Connections = HTTP2ConnectionPool(idleTimeout: config.upstreamIdleTimeout)
    }

    /// The flusher of `eventLoop`'s client answers (asked once per connection).
    func tickFlusher(for eventLoop: any EventLoop) -> TickFlusher {
        tickFlushers.withLockedValue { flushers in
            if let flusher = flushers[ObjectIdentifier(eventLoop)] { return flusher }
            let flusher = TickFlusher(eventLoop: eventLoop)
            flushers[ObjectIdentifier(eventLoop)] = flusher
            return flusher
        }
    }

    var world: ProxyWorld { state.withLockedValue { $0.world } }
    var epoch: RoutingEpoch { state.withLockedValue { $0.epoch } }
    /// The world and its epoch, read together (for connections, which are not counted).
    var current: (world: ProxyWorld, epoch: RoutingEpoch) { state.withLockedValue { ($0.world, $0.epoch) } }

    /// Swaps `world` in; returns the epoch that ends with it.
    @discardableResult
    func swap(_ world: ProxyWorld) -> RoutingEpoch {
        state.withLockedValue { s in
            let ended = s.epoch
            s.world = world
            s.epoch = RoutingEpoch(ended.value + 1)
            s.inFlightBefore += s.inFlightNow
            s.inFlightNow = 0
            return ended
        }
    }

    /// Counts a new request; returns whether the proxy is draining.
    @discardableResult
    func requestStarted() -> Bool {
        state.withLockedValue { $0.counters.inFlight += 1; $0.counters.requests += 1; return $0.counters.draining }
    }

    /// The world a new HTTP request routes with, and its epoch; the request counts as in
    /// flight for that epoch until `requestFinished(epoch:)`.
    func routeRequest() -> (world: ProxyWorld, epoch: RoutingEpoch) {
        state.withLockedValue { s in
            s.inFlightNow += 1
            return (s.world, s.epoch)
        }
    }

    /// A request routed by `routeRequest()` that is handed on before it started (the byte
    /// path gives it to the full pipeline, which routes it again): no longer in flight.
    func routeAbandoned(epoch: RoutingEpoch) {
        state.withLockedValue { s in
            if epoch == s.epoch { s.inFlightNow -= 1 } else { s.inFlightBefore -= 1 }
        }
    }

    /// The request is over (and recorded): with the epoch it was routed in, if it was.
    func requestFinished(epoch: RoutingEpoch?) {
        state.withLockedValue { s in
            s.counters.inFlight -= 1
            guard let epoch else { return }
            if epoch == s.epoch { s.inFlightNow -= 1 } else { s.inFlightBefore -= 1 }
        }
    }

    /// HTTP requests routed with a world swapped out since, not yet recorded.
    var inFlightBeforeEpoch: Int { state.withLockedValue { $0.inFlightBefore } }

    func malformedRequest() { state.withLockedValue { $0.counters.malformed += 1 } }
    func startDraining() { state.withLockedValue { $0.counters.draining = true } }
    var isDraining: Bool { state.withLockedValue { $0.counters.draining } }
    var snapshot: Counters { state.withLockedValue { $0.counters } }

    func clientOpened(_ channel: any Channel) {
        clients.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = clients.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    /// Every open client connection (stop closes them after the drain).
    var openClients: [any Channel] { clients.withLockedValue { Array($0.values) } }
}

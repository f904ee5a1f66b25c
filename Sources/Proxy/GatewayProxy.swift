import EventLog
import Foundation
import GatewayAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import RoutingCore

/// The live reverse proxy: binds the HTTP listeners of a compiled routing table and
/// forwards each request the way the routing core decides.
///
/// Life cycle: `start()` once, `swap(...)` any number of times, `stop()` once. The routing
/// table is swapped atomically; a request in flight finishes with the table it started on.
/// Recording is the caller's: `onRequest` gets one `RequestRecord` per exchange, on an event
/// loop thread, so it must not block (use a `BoundedEventQueue`).
///
/// HTTPS listeners terminate TLS with their Secret's certificate (chosen by SNI) and speak
/// HTTP/1.1 or HTTP/2 (ALPN); TLS/TCP/UDP listeners are reported in `skippedListeners`.
public final class GatewayProxy: Sendable {
    /// One bound listener port.
    public struct BoundListener: Sendable, Hashable, CustomStringConvertible {
        /// The port in the Gateway spec (what routing sees).
        public var listenerPort: Int
        /// The local address actually bound, `host:port`.
        public var address: Endpoint
        /// The Gateway listeners served there (`ns/gateway/listener`), sorted.
        public var listeners: [String]
        public var description: String { "listening on \(address) (listener port \(listenerPort): \(listeners.joined(separator: ", ")))" }
    }

    private struct Lifecycle {
        var group: MultiThreadedEventLoopGroup?
        var servers: [any Channel] = []
        var bound: [BoundListener] = []
        var started = false
        var stopped = false
    }

    private let runtime: ProxyRuntime
    private let lifecycle = NIOLockedValueBox(Lifecycle())

    /// - Parameters:
    ///   - onRequest: called once per finished exchange, from an event loop; never block in it.
    public init(world: ProxyWorld, config: ProxyConfig = ProxyConfig(), onRequest: (@Sendable (RequestRecord) -> Void)? = nil) {
        runtime = ProxyRuntime(world: world, config: config, onRequest: onRequest)
    }

    /// A compiled world with its resolver (e.g. built elsewhere from the same snapshot).
    public convenience init(world: CompiledWorld, resolver: BackendResolver, config: ProxyConfig = ProxyConfig(),
                            onRequest: (@Sendable (RequestRecord) -> Void)? = nil) {
        self.init(world: ProxyWorld(world: world, resolver: resolver), config: config, onRequest: onRequest)
    }

    /// Compiles `resources` and resolves endpoints from its EndpointSlices plus `config.backendOverrides`.
    public convenience init(resources: ResourceSet, config: ProxyConfig = ProxyConfig(), compileOptions: CompileOptions = CompileOptions(),
                            onRequest: (@Sendable (RequestRecord) -> Void)? = nil) {
        self.init(world: Self.world(resources: resources, config: config, options: compileOptions), config: config, onRequest: onRequest)
    }

    /// The world for `resources` with this proxy's backend overrides.
    public static func world(resources: ResourceSet, config: ProxyConfig, options: CompileOptions = CompileOptions()) -> ProxyWorld {
        let compiled = Compiler.compile(resources, options: options)
        return ProxyWorld(world: compiled, resolver: BackendResolver(resources: resources, overrides: config.backendOverrides),
                          tls: TLSCertificates(resources: resources, table: compiled.table))
    }

    /// Binds every HTTP and HTTPS listener port of the table (through the port map) and starts serving.
    /// Returns the bound addresses, sorted by listener port. Throws if a port cannot be bound
    /// (then nothing stays bound).
    @discardableResult
    public func start() throws -> [BoundListener] {
        let config = runtime.config
        let group = try lifecycle.withLockedValue { state -> MultiThreadedEventLoopGroup in
            guard !state.started else { throw ProxyError.alreadyStarted }
            state.started = true
            let group = MultiThreadedEventLoopGroup(numberOfThreads: config.eventLoopThreads)
            state.group = group
            return group
        }
        var listenersByPort: [Int: [String]] = [:]
        var securePorts: Set<Int> = []
        let world = runtime.world
        for listener in world.table.allListeners where listener.protocol == .http
            || (listener.protocol == .https && world.tls.serves(listener: listener.ref.description, port: listener.ref.port)) {
            listenersByPort[listener.ref.port, default: []].append(listener.ref.description)
            if listener.protocol == .https { securePorts.insert(listener.ref.port) }
        }
        var servers: [any Channel] = []
        var bound: [BoundListener] = []
        do {
            for port in listenersByPort.keys.sorted() {
                let server = try bootstrap(group: group, listenerPort: port, secure: securePorts.contains(port))
                    .bind(host: config.listenHost, port: config.portMap[port] ?? port).wait()
                servers.append(server)
                let local = server.localAddress
                bound.append(BoundListener(listenerPort: port, address: Endpoint(host: local?.ipAddress ?? config.listenHost, port: local?.port ?? 0),
                                           listeners: listenersByPort[port]!.sorted()))
            }
        } catch {
            for server in servers { try? server.close().wait() }
            try? group.syncShutdownGracefully()
            lifecycle.withLockedValue { $0.group = nil }
            throw ProxyError.bindFailed("\(error)")
        }
        lifecycle.withLockedValue {
            $0.servers = servers
            $0.bound = bound
        }
        return bound
    }

    /// - Parameter secure: an HTTPS port (TLS with SNI and ALPN, see `ListenerPipeline`).
    private func bootstrap(group: MultiThreadedEventLoopGroup, listenerPort: Int, secure: Bool) -> ServerBootstrap {
        let runtime = self.runtime
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if secure {
                        try ListenerPipeline.configureHTTPS(channel, runtime: runtime, listenerPort: listenerPort)
                    } else {
                        try ListenerPipeline.configureHTTP(channel, runtime: runtime, listenerPort: listenerPort)
                    }
                }
            }
    }

    /// Replaces the routing table and endpoints. Listener ports are not rebound: a new
    /// port in the new world is not served until restart (a seam for the admin API slice).
    public func swap(world: ProxyWorld) { runtime.swap(world) }

    /// Replaces only the routing table; endpoints keep resolving as before.
    public func swap(world: CompiledWorld) {
        let current = runtime.world
        swap(world: ProxyWorld(world: world, resolver: current.resolver, tls: current.tls))
    }

    /// Compiles `resources` and swaps the result in (table and endpoints).
    public func swap(resources: ResourceSet, options: CompileOptions = CompileOptions()) {
        swap(world: Self.world(resources: resources, config: runtime.config, options: options))
    }

    /// Stops accepting, waits up to `config.drainTimeout` for in-flight requests, then closes
    /// every connection and the event loops. Idempotent.
    public func stop() {
        let (group, servers) = lifecycle.withLockedValue { state -> (MultiThreadedEventLoopGroup?, [any Channel]) in
            guard !state.stopped else { return (nil, []) }
            state.stopped = true
            defer { state.servers = [] }
            return (state.group, state.servers)
        }
        guard let group else { return }
        runtime.startDraining()
        for server in servers { try? server.close().wait() }
        let deadline = NIODeadline.now() + runtime.config.drainTimeout
        while runtime.snapshot.inFlight > 0 && NIODeadline.now() < deadline { usleep(5_000) }
        for client in runtime.openClients { try? client.close().wait() }
        runtime.connections.closeAll()
        try? group.syncShutdownGracefully()
    }

    /// The listeners bound by `start()`.
    public var boundListeners: [BoundListener] { lifecycle.withLockedValue { $0.bound } }

    /// Listeners of the current table that are not served, with why: HTTPS listeners whose
    /// certificate is unusable, and TLS/TCP/UDP listeners (not proxied yet).
    public var skippedListeners: [(listener: String, reason: String)] {
        let world = runtime.world
        return world.tls.skipped + world.table.allListeners.filter { $0.protocol != .http && $0.protocol != .https }
            .map { ($0.ref.description, "protocol \($0.protocol) is not served yet (HTTP and HTTPS only)") }
    }

    /// Counters: requests in flight, requests seen, malformed requests rejected before a head.
    public var stats: (inFlight: Int, requests: Int, malformed: Int) {
        let counters = runtime.snapshot
        return (counters.inFlight, counters.requests, counters.malformed)
    }

    /// The world currently routed with.
    public var world: ProxyWorld { runtime.world }
}

/// Errors of the proxy life cycle.
public enum ProxyError: Error, CustomStringConvertible {
    case alreadyStarted
    case bindFailed(String)
    public var description: String {
        switch self {
        case .alreadyStarted: return "the proxy was already started"
        case .bindFailed(let why): return "cannot bind a listener: \(why)"
        }
    }
}

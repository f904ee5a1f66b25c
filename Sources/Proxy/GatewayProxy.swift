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
/// HTTP/1.1 or HTTP/2 (ALPN); TLS listeners pass the stream through by SNI or terminate it,
/// TCP listeners splice it, UDP listeners forward datagrams per client (`StreamListener`,
/// `DatagramForwarder`). Listener ports follow swaps (`ListenerPortPlan`).
public final class GatewayProxy: Sendable {
    /// One bound listener port.
    public struct BoundListener: Sendable, Hashable, CustomStringConvertible {
        /// The port in the Gateway spec (what routing sees).
        public var listenerPort: Int
        /// The local address actually bound, `host:port`.
        public var address: Endpoint
        /// The Gateway listeners served there (`ns/gateway/listener`), sorted.
        public var listeners: [String]
        /// What is served: `http`, `https`, `tls`, `tcp` or `udp`.
        public var kind: ListenerPortKind = .http
        public var description: String {
            "listening on \(address)\(kind == .udp ? "/udp" : "") (listener port \(listenerPort): \(listeners.joined(separator: ", ")))"
        }
    }

    private struct Lifecycle {
        var group: MultiThreadedEventLoopGroup?
        var servers: [ListenerPortPlan.Key: (channel: any Channel, bound: BoundListener, kind: ListenerPortKind)] = [:]
        var started = false
        var stopped = false
        /// Closes pooled backend connections past their idle age (`ConnectionPool.closeExpired`).
        var idleSweep: RepeatedTask?
    }

    private let runtime: ProxyRuntime
    private let lifecycle = NIOLockedValueBox(Lifecycle())
    /// Serialises re-binding (start, swaps): two swaps never bind the same port at once.
    private let binding = NIOLock()

    /// - Parameters:
    ///   - onRequest: called once per finished exchange, from an event loop; never block in it.
    public init(world: ProxyWorld, config: ProxyConfig = ProxyConfig(), onRequest: (@Sendable (consuming RequestRecord, RoutingEpoch) -> Void)? = nil) {
        runtime = ProxyRuntime(world: world, config: config, onRequest: onRequest)
    }

    /// A compiled world with its resolver (e.g. built elsewhere from the same snapshot).
    public convenience init(world: CompiledWorld, resolver: BackendResolver, config: ProxyConfig = ProxyConfig(),
                            onRequest: (@Sendable (consuming RequestRecord, RoutingEpoch) -> Void)? = nil) {
        self.init(world: ProxyWorld(world: world, resolver: resolver), config: config, onRequest: onRequest)
    }

    /// Compiles `resources` and resolves endpoints from its EndpointSlices plus `config.backendOverrides`.
    public convenience init(resources: ResourceSet, config: ProxyConfig = ProxyConfig(), compileOptions: CompileOptions = CompileOptions(),
                            onRequest: (@Sendable (consuming RequestRecord, RoutingEpoch) -> Void)? = nil) {
        self.init(world: Self.world(resources: resources, config: config, options: compileOptions), config: config, onRequest: onRequest)
    }

    /// The world for `resources` with this proxy's backend overrides.
    public static func world(resources: ResourceSet, config: ProxyConfig, options: CompileOptions = CompileOptions()) -> ProxyWorld {
        let compiled = Compiler.compile(resources, options: options)
        return ProxyWorld(world: compiled, resolver: BackendResolver(resources: resources, overrides: config.backendOverrides),
                          tls: TLSCertificates(resources: resources, table: compiled.table),
                          backendTLS: BackendTLSTrust(resources: resources))
    }

    /// Binds every listener port of the table (through the port map: HTTP, HTTPS with a usable
    /// certificate, TLS, TCP and UDP) and starts serving. Returns the bound addresses, sorted by
    /// listener port. Throws if a port cannot be bound (then nothing stays bound).
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
        let plan = ListenerPortPlan(world: runtime.world)
        var servers: [ListenerPortPlan.Key: (channel: any Channel, bound: BoundListener, kind: ListenerPortKind)] = [:]
        for key in plan.ports.keys.sorted() {
            do {
                servers[key] = try bind(key, plan.ports[key]!, group: group)
            } catch {
                for (_, server) in servers { try? server.channel.close().wait() }
                try? group.syncShutdownGracefully()
                lifecycle.withLockedValue { $0.group = nil }
                let local = config.portMap[key.port] ?? key.port
                let reason = SocketErrorText.describe(error)
                throw ProxyError.bindFailed(key.port == local ? "port \(local): \(reason)"
                                            : "port \(key.port) (moved to \(config.listenHost):\(local) by --port-map): \(reason)")
            }
        }
        let (connections, rawConnections) = (runtime.connections, runtime.rawConnections)
        let half = TimeAmount.nanoseconds(config.upstreamIdleTimeout.nanoseconds / 2)
        let sweep = group.next().scheduleRepeatedTask(initialDelay: half, delay: half) { _ in
            connections.closeExpired()
            rawConnections.closeExpired()
        }
        lifecycle.withLockedValue {
            $0.servers = servers
            $0.idleSweep = sweep
        }
        return boundListeners
    }

    private func bind(_ key: ListenerPortPlan.Key, _ port: ListenerPortPlan.Port, group: MultiThreadedEventLoopGroup) throws
        -> (channel: any Channel, bound: BoundListener, kind: ListenerPortKind) {
        let config = runtime.config
        let local = config.portMap[key.port] ?? key.port
        let server: any Channel
        if port.kind == .udp {
            server = try ListenerBinding.datagram(group: group, runtime: runtime, listenerPort: key.port)
                .bind(host: config.listenHost, port: local).wait()
        } else {
            server = try ListenerBinding.stream(group: group, runtime: runtime, listenerPort: key.port, kind: port.kind)
                .bind(host: config.listenHost, port: local).wait()
        }
        let address = server.localAddress
        let bound = BoundListener(listenerPort: key.port, address: Endpoint(host: address?.ipAddress ?? config.listenHost, port: address?.port ?? 0),
                                  listeners: port.listeners, kind: port.kind)
        return (server, bound, port.kind)
    }

    /// Replaces the routing table and endpoints, then binds the listener ports the new world
    /// has and the old did not, and closes those it no longer has (connections already
    /// accepted on a closed port finish). A port whose kind changed is re-bound. A port that
    /// cannot be bound is left unserved (see `unboundPorts`); routing is swapped regardless.
    /// Called on an event loop thread (where blocking on a bind is not allowed), the ports
    /// are re-bound shortly after, from another thread.
    /// Returns the epoch that ends: the requests routed with the old world carry it.
    @discardableResult
    public func swap(world: ProxyWorld) -> RoutingEpoch {
        let ended = runtime.swap(world)
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            DispatchQueue.global().async { self.rebind() }
        } else {
            rebind()
        }
        return ended
    }

    private func rebind() {
        binding.withLock {
            guard let group = lifecycle.withLockedValue({ $0.started && !$0.stopped ? $0.group : nil }) else { return }
            let plan = ListenerPortPlan(world: runtime.world)
            let current = lifecycle.withLockedValue { $0.servers }
            var closing: [any Channel] = []
            var kept = current.filter { key, server in
                guard let wanted = plan.ports[key], wanted.kind == server.kind else {
                    closing.append(server.channel)
                    return false
                }
                return true
            }
            for channel in closing { try? channel.close().wait() }
            var failed: [Int] = []
            for key in plan.ports.keys.sorted() {
                if var server = kept[key] {
                    server.bound.listeners = plan.ports[key]!.listeners
                    kept[key] = server
                    continue
                }
                do { kept[key] = try bind(key, plan.ports[key]!, group: group) } catch { failed.append(key.port) }
            }
            lifecycle.withLockedValue { state in
                if state.stopped {
                    for (key, server) in kept where current[key] == nil { server.channel.close(promise: nil) }
                } else {
                    state.servers = kept
                }
            }
            unbound.withLockedValue { $0 = failed }
        }
    }

    private let unbound = NIOLockedValueBox([Int]())

    /// Listener ports of the current world that could not be bound after the last swap.
    public var unboundPorts: [Int] { unbound.withLockedValue { $0 } }

    /// Replaces only the routing table; endpoints keep resolving as before.
    public func swap(world: CompiledWorld) {
        let current = runtime.world
        swap(world: ProxyWorld(world: world, resolver: current.resolver, tls: current.tls, backendTLS: current.backendTLS))
    }

    /// HTTP requests routed with a world swapped out since and not yet recorded: a change is
    /// recorded once they are (`AdminControlPlane`).
    public var requestsInFlightBeforeCurrentWorld: Int { runtime.inFlightBeforeEpoch }

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
            defer { state.servers = [:] }
            state.idleSweep?.cancel()
            return (state.group, state.servers.values.map(\.channel))
        }
        guard let group else { return }
        runtime.startDraining()
        for server in servers { try? server.close().wait() }
        let deadline = NIODeadline.now() + runtime.config.drainTimeout
        while runtime.snapshot.inFlight > 0 && NIODeadline.now() < deadline { usleep(5_000) }
        for client in runtime.openClients { try? client.close().wait() }
        runtime.connections.closeAll()
        runtime.rawConnections.closeAll()
        runtime.http2Connections.closeAll()
        try? group.syncShutdownGracefully()
    }

    /// The listener ports currently bound (by `start()` and later swaps), sorted by listener port.
    public var boundListeners: [BoundListener] {
        lifecycle.withLockedValue { state in state.servers.keys.sorted().map { state.servers[$0]!.bound } }
    }

    /// Listeners of the current table that are not served, with why: HTTPS listeners (and TLS
    /// listeners in mode Terminate) whose certificate is unusable, listeners sharing a
    /// port with listeners of another protocol that took it (see `ListenerPortPlan`), and
    /// listeners of Gateways sharing a port that could take the same traffic as another
    /// Gateway's there (`RoutingTable.listenersLeftOut`), and every listener of a Gateway
    /// that is not programmed (an address outside the proxy's pool, say).
    public var skippedListeners: [(listener: String, reason: String)] {
        let world = runtime.world
        let plan = ListenerPortPlan(world: world)
        let served = Set(plan.ports.values.flatMap(\.listeners))
        let unusable = Set(world.tls.skipped.map(\.listener))
        let leftOut = Set(plan.ports.keys.map(\.port)).sorted().flatMap { port in
            let gateways = world.table.gatewayNames(onPort: port)
            return world.table.listenersLeftOut(onPort: port).map { ref in
                (ref.description, "port \(port) is shared by Gateways \(gateways) and this listener could take the same traffic "
                    + "as another Gateway's there: on the proxy's one address neither is served")
            }
        }
        let unprogrammed = world.world.status.gateways.flatMap { gateway -> [(String, String)] in
            guard let programmed = gateway.notProgrammed else { return [] }
            let why = "Gateway \(gateway.key.namespace)/\(gateway.key.name) is not programmed (\(programmed.reason): \(programmed.message))"
            return gateway.listeners.map { ("\(gateway.key.namespace)/\(gateway.key.name)/\($0.name)", why) }
        }
        return world.tls.skipped + world.table.allListeners.filter {
            !served.contains($0.ref.description) && !unusable.contains($0.ref.description)
        }.map { ($0.ref.description, "port \($0.ref.port) is served for another protocol than \($0.protocol)") } + leftOut + unprogrammed
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

import EventLog
import GatewayAPI
import NIOCore
import NIOPosix
import NIOSSL
import RoutingCore

/// One layer-4 connection on a TLS or TCP listener: routed once with
/// `RoutingTable.routeConnection` (TLS by the ClientHello's SNI, TCP by port), connected to
/// an endpoint of the chosen backend, then spliced byte for byte (`SpliceHandler`).
///
/// TLS listeners in mode Passthrough forward the encrypted stream untouched (the backend
/// sees the client's ClientHello and SNI); in mode Terminate the gateway completes the
/// handshake with the listener's certificate and forwards the plaintext
/// (gateway_types.go, TLSModeType). The connection is recorded once, when both sides are
/// closed, as a `RequestRecord` with scheme `tls`/`tcp`, the SNI as `sni` (and `host`),
/// and the bytes each way, so replay routes it again with `routeConnection`.
final class StreamSession {
    private let runtime: ProxyRuntime
    private let client: any Channel
    private var record: RequestRecord
    private var decision: Decision?
    private var endpoint: Endpoint?
    private var status: Int?
    private let started = NIODeadline.now()
    private var clientSide: SpliceHandler?
    private var backendSide: SpliceHandler?
    private var open = 0
    private var recorded = false
    /// The world that routed the connection (a connection open across a change is
    /// recorded when it closes, after the change).
    private let epoch: RoutingEpoch
    /// Set when the client connection closes (it may not be active yet while the backend
    /// connects: a loopback connect can complete during the client's initialisation).
    private var clientClosed = false

    private init(runtime: ProxyRuntime, client: any Channel, listenerPort: Int, scheme: String, sni: String?, epoch: RoutingEpoch) {
        self.runtime = runtime
        self.client = client
        self.epoch = epoch
        let remote = client.remoteAddress
        let clientAddress = Endpoint(host: remote?.ipAddress ?? "", port: remote?.port ?? 0).description
        record = RequestRecord(id: runtime.ids.next(), client: clientAddress, port: listenerPort, scheme: scheme, method: "",
                               host: sni ?? "", path: "", sni: sni)
    }

    /// Routes and connects `client`; the returned future succeeds once the client's pipeline
    /// ends in the splice handler (or the connection was refused and closed), so that bytes
    /// buffered before (the ClientHello) flow to the backend.
    /// - Parameter clientSide: the client's splice handler when already in its pipeline (TCP);
    ///   nil to add one once connected (TLS, after the SNI peek).
    static func start(client: any Channel, runtime: ProxyRuntime, listenerPort: Int, protocol proto: ListenerProtocol,
                      sni: String?, clientSide: SpliceHandler? = nil) -> EventLoopFuture<Void> {
        let (world, epoch) = runtime.current
        let session = StreamSession(runtime: runtime, client: client, listenerPort: listenerPort,
                                    scheme: proto == .tls ? "tls" : "tcp", sni: sni, epoch: epoch)
        session.clientSide = clientSide
        client.closeFuture.assumeIsolated().whenComplete { _ in session.clientClosed = true }
        return session.route(proto: proto, world: world)
    }

    private func route(proto: ListenerProtocol, world: ProxyWorld) -> EventLoopFuture<Void> {
        let decision = world.table.routeConnection(ConnectionRequest(port: record.port, protocol: proto, sni: record.sni), key: record.id)
        self.decision = decision
        guard decision.outcome == .forward, let backend = decision.backend else {
            return refuse(status: decision.status)
        }
        let endpoints = world.resolver.endpoints(for: backend)
        guard let endpoint = runtime.endpoints.pick(backend: backend.description, endpoints: endpoints) else {
            return refuse(status: 503)
        }
        self.endpoint = endpoint
        // Terminate-mode TLS listeners: the gateway's certificate, picked by the listener routing chose.
        let termination = proto == .tls ? decision.listener.flatMap { world.tls.terminatingContext(listener: $0.description) } : nil
        if termination == nil, proto == .tls, let listener = decision.listener, world.tls.isUnusableTerminating(listener: listener.description) {
            // Terminate without a usable certificate: never pass the stream through instead.
            return refuse(status: nil)
        }
        return ClientBootstrap(group: client.eventLoop)
            .connectTimeout(runtime.config.upstreamConnectTimeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: endpoint.host, port: endpoint.port)
            .assumeIsolated()  // the backend connection is on the client's event loop, like this session
            .flatMapError { error in
                self.runtime.endpoints.eject(endpoint, for: self.runtime.config.endpointEjection)
                return self.refuse(status: 503).flatMapThrowing { throw error }
            }
            .flatMap { backend in self.splice(backend: backend, termination: termination) }
            .recover { _ in }
            .nonisolated()
    }

    private func splice(backend: any Channel, termination: NIOSSLContext?) -> EventLoopFuture<Void> {
        guard !clientClosed else {
            // The client left while the backend connection was being opened.
            backend.close(promise: nil)
            finish()
            return client.eventLoop.makeSucceededVoidFuture()
        }
        let installed = self.clientSide
        let clientSide = installed ?? SpliceHandler()
        clientSide.onInactive = { [self] in sideClosed() }
        let backendSide = SpliceHandler { [self] in sideClosed() }
        self.clientSide = clientSide
        self.backendSide = backendSide
        open = 2
        // Both channels are on this event loop (the backend was connected from it).
        do {
            try backend.pipeline.syncOperations.addHandler(backendSide)
            let sync = client.pipeline.syncOperations
            if let termination { try sync.addHandler(NIOSSLServerHandler(context: termination)) }
            if installed == nil { try sync.addHandler(clientSide) }
            SpliceHandler.glue(clientSide, backendSide)
            return client.eventLoop.makeSucceededVoidFuture()
        } catch {
            backend.close(promise: nil)
            client.close(promise: nil)
            finish()
            return client.eventLoop.makeFailedFuture(error)
        }
    }

    /// The connection cannot be served: record why, close it.
    private func refuse(status: Int?) -> EventLoopFuture<Void> {
        self.status = status
        finish()
        client.close(promise: nil)
        return client.eventLoop.makeSucceededVoidFuture()
    }

    private func sideClosed() {
        open -= 1
        if open <= 0 { finish() }
    }

    private func finish() {
        guard !recorded else { return }
        recorded = true
        let route = decision?.route
        let latency = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
        record.observed = ObservedOutcome(route: route.map { "\($0.kind)/\($0.namespace)/\($0.name)" }, rule: route?.rule,
                                          backend: decision?.outcome == .forward ? decision?.backend?.description : nil,
                                          endpoint: endpoint?.description, status: status, latencyMs: latency,
                                          bytesIn: clientSide?.bytesRead ?? 0, bytesOut: backendSide?.bytesRead ?? 0)
        runtime.onRequest?(record, epoch)
    }
}

import EventLog
import NIOCore
import NIOPosix
import RoutingCore

/// A UDP listener: datagrams are forwarded per client address (a flow), each flow routed
/// once with `routeConnection` (UDPRoute) and given its own connected socket towards one
/// endpoint of the chosen backend, so that replies come back on it and are sent to the
/// client from the listener's address.
///
/// A flow ends after `idleTimeout` without a datagram either way (UDP has no close);
/// it is then recorded as one `RequestRecord` (scheme `udp`, bytes each way). Datagrams
/// that arrive while the flow's socket is being set up wait in a small queue; a flow that
/// cannot be routed drops its datagrams until it expires (and is recorded once). At most
/// `ProxyLimits.maxUDPFlowsPerListener` flows are open at once.
final class DatagramForwarder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// One client address and what its datagrams go to.
    private final class Flow {
        var record: RequestRecord
        var decision: Decision?
        /// The world that routed the flow.
        let epoch: RoutingEpoch
        var endpoint: Endpoint?
        var upstream: (any Channel)?
        var queued: [ByteBuffer] = []
        var lastActivity = NIODeadline.now()
        let started = NIODeadline.now()
        var bytesIn = 0
        var bytesOut = 0
        var status: Int?
        init(record: RequestRecord, epoch: RoutingEpoch) {
            self.record = record
            self.epoch = epoch
        }
    }

    /// At most this many datagrams wait per flow while its socket is set up.
    static let maxQueued = 64

    private let runtime: ProxyRuntime
    private let listenerPort: Int
    private let idleTimeout: TimeAmount
    private var flows: [SocketAddress: Flow] = [:]
    private var sweeper: RepeatedTask?
    private var context: ChannelHandlerContext?

    init(runtime: ProxyRuntime, listenerPort: Int, idleTimeout: TimeAmount) {
        self.runtime = runtime
        self.listenerPort = listenerPort
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let interval = TimeAmount.nanoseconds(max(idleTimeout.nanoseconds / 4, TimeAmount.milliseconds(10).nanoseconds))
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        sweeper = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.expire(now: .now())
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        sweeper?.cancel()
        for (_, flow) in flows { end(flow) }
        flows = [:]
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard flows[envelope.remoteAddress] != nil || flows.count < ProxyLimits.maxUDPFlowsPerListener else { return }
        let flow = flows[envelope.remoteAddress] ?? open(envelope.remoteAddress, on: context)
        flow.lastActivity = .now()
        flow.bytesIn += envelope.data.readableBytes
        if let upstream = flow.upstream {
            upstream.writeAndFlush(envelope.data, promise: nil)
        } else if flow.decision?.outcome == .forward, flow.status == nil, flow.queued.count < Self.maxQueued {
            flow.queued.append(envelope.data)
        }
    }

    private func open(_ client: SocketAddress, on context: ChannelHandlerContext) -> Flow {
        let id = runtime.ids.next()
        let address = Endpoint(host: client.ipAddress ?? "", port: client.port ?? 0).description
        let (world, epoch) = runtime.current
        let flow = Flow(record: RequestRecord(id: id, client: address, port: listenerPort, scheme: "udp", method: "", host: "", path: ""),
                        epoch: epoch)
        flows[client] = flow
        let decision = world.table.routeConnection(ConnectionRequest(port: listenerPort, protocol: .udp), key: id)
        flow.decision = decision
        guard decision.outcome == .forward, let backend = decision.backend else {
            flow.status = decision.status
            return flow
        }
        let endpoints = world.resolver.endpoints(for: backend)
        guard let endpoint = runtime.endpoints.pick(backend: backend.description, endpoints: endpoints),
              let target = try? SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port) else {
            flow.status = 503
            return flow
        }
        flow.endpoint = endpoint
        let server = context.channel
        let localHost = target.protocol == .inet6 ? "::" : "0.0.0.0"
        // The flow's channel is on this event loop, where its initializer runs.
        let relay = NIOLoopBound(DatagramReplyRelay(server: server, client: client) { [weak flow] bytes in
            flow?.lastActivity = .now()
            flow?.bytesOut += bytes
        }, eventLoop: context.eventLoop)
        DatagramBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(relay.value) }
            }
            .bind(host: localHost, port: 0)
            .flatMap { channel in channel.connect(to: target).map { channel } }
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    guard flows[client] === flow else {
                        channel.close(promise: nil)
                        return
                    }
                    flow.upstream = channel
                    for datagram in flow.queued { channel.write(datagram, promise: nil) }
                    flow.queued = []
                    channel.flush()
                case .failure:
                    flow.status = 503
                    flow.queued = []
                }
            }
        return flow
    }

    /// Ends every flow idle for longer than the timeout.
    private func expire(now: NIODeadline) {
        for (address, flow) in flows where now - flow.lastActivity >= idleTimeout {
            flows[address] = nil
            end(flow)
        }
    }

    private func end(_ flow: Flow) {
        flow.upstream?.close(promise: nil)
        flow.upstream = nil
        let route = flow.decision?.route
        var record = flow.record
        record.observed = ObservedOutcome(route: route.map { "\($0.kind)/\($0.namespace)/\($0.name)" }, rule: route?.rule,
                                          backend: flow.decision?.outcome == .forward ? flow.decision?.backend?.description : nil,
                                          endpoint: flow.endpoint?.description, status: flow.status,
                                          latencyMs: Double((flow.lastActivity - flow.started).nanoseconds) / 1_000_000,
                                          bytesIn: flow.bytesIn, bytesOut: flow.bytesOut)
        runtime.onRequest?(record, flow.epoch)
    }

    /// Flows currently open (tests).
    var flowCount: Int { flows.count }
}

/// The backend side of one UDP flow: each reply datagram goes back to the client, sent from
/// the listener's socket (the address the client talks to).
final class DatagramReplyRelay: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let server: any Channel
    private let client: SocketAddress
    private let onReply: (Int) -> Void

    init(server: any Channel, client: SocketAddress, onReply: @escaping (Int) -> Void) {
        self.server = server
        self.client = client
        self.onReply = onReply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onReply(envelope.data.readableBytes)
        server.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: envelope.data), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: the flow stays until it idles out.
    }
}

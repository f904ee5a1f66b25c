import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import RoutingCore

/// Which backends are spoken to in HTTP/2.
///
/// In cleartext, HTTP/2 means prior knowledge (h2c, RFC 9113 §3.3). Gateway API
/// (shared_types.go, BackendRef): implementations SHOULD honor the Service port's
/// `appProtocol` (the Kubernetes standard application protocols, KEP-3726 / GEP-1911:
/// `kubernetes.io/h2c` is HTTP/2 over cleartext with prior knowledge) and MAY infer the
/// protocol from the Route type when it is unset. gRPC is HTTP/2 only, so a GRPCRoute's
/// backend without an `appProtocol` is h2c too. An explicit other `appProtocol` (e.g. `http`)
/// is honored.
///
/// Over TLS (BackendTLSPolicy) the protocol is agreed in the handshake (ALPN, RFC 9113
/// §3.2) and `appProtocol`'s cleartext values do not apply: a GRPCRoute's backend is
/// offered `h2` alone, any other backend `http/1.1`.
enum UpstreamProtocol {
    static let h2cAppProtocols: Set<String> = ["kubernetes.io/h2c", "h2c"]

    static func usesHTTP2(decision: Decision, appProtocol: String?) -> Bool {
        if decision.backendTLS == nil, let appProtocol { return h2cAppProtocols.contains(appProtocol.lowercased()) }
        return decision.route?.kind == "GRPCRoute"
    }

    /// The upstream head adjusted for HTTP/2: `TE: trailers` is the one TE value HTTP/2
    /// allows (RFC 9113 §8.2.2) and gRPC servers expect it, so it is passed on when the
    /// client sent it (it is hop-by-hop, `RequestForwarder` dropped it).
    static func adapt(_ head: inout HTTPRequestHead, original: HTTPRequestHead) {
        let asksTrailers = original.headers["te"].contains { value in
            value.split(separator: ",").contains { trimmedOWS($0).lowercased() == "trailers" }
        }
        if asksTrailers { head.headers.replaceOrAdd(name: "te", value: "trailers") }
    }
}

/// HTTP/2 connections to backends (h2c, or h2 over TLS): one per endpoint, event loop and
/// TLS handshake (`BackendTLSClient`), opened on first use and shared by every exchange on
/// that loop that asks for the same, each exchange on a stream of its own. A TLS connection
/// carries streams only once the backend is authenticated and selected `h2`.
///
/// A stream's pipeline is `HTTP2FramePayloadToHTTP1ClientCodec` followed by an ordinary
/// `UpstreamHandler`, so the downstream handler sees the same HTTP/1-style parts as from an
/// HTTP/1.1 connection: bodies stream (stream flow control reaches it as writability, held
/// reads as withheld WINDOW_UPDATEs) and trailers arrive in `.end`. A stream is never
/// pooled: it closes itself once both sides sent END_STREAM, and is closed (reset) only when
/// its exchange gives it up early; resetting every finished stream would look like a rapid
/// reset attack to the backend (swift-nio-http2 answers GOAWAY ENHANCE_YOUR_CALM). The
/// connection lives until the backend or `closeAll()` closes it, or until no stream has
/// been open on it for the idle timeout (`H2CIdleCloser`).
final class HTTP2ConnectionPool: Sendable {
    private struct Key: Hashable {
        let endpoint: Endpoint
        let loop: ObjectIdentifier
        /// The client itself, not its identifier as `ConnectionPool` keys: nothing else
        /// holds it for as long as the shared connection lives (its pipeline keeps only
        /// the context), so the key keeps it, and its identity, alive.
        let tls: BackendTLSClient?
    }
    private let connections = NIOLockedValueBox([Key: EventLoopFuture<any Channel>]())
    private let idleTimeout: TimeAmount

    init(idleTimeout: TimeAmount = ProxyLimits.upstreamIdleTimeout) { self.idleTimeout = idleTimeout }

    /// A new stream to `endpoint` on the shared connection of `eventLoop` (connecting first
    /// if there is none). A stream that cannot be opened on a reused connection (it is going
    /// away) is retried once on a fresh connection.
    func openStream(to endpoint: Endpoint, tls: BackendTLSClient? = nil, on eventLoop: any EventLoop, pool: ConnectionPool<UpstreamHandler>,
                    timeout: TimeAmount) -> EventLoopFuture<any Channel> {
        let key = Key(endpoint: endpoint, loop: ObjectIdentifier(eventLoop), tls: tls)
        let (connection, fresh) = self.connection(key, on: eventLoop, timeout: timeout, replacing: nil)
        let stream = connection.flatMap { Self.stream(on: $0, endpoint: endpoint, pool: pool) }
        guard !fresh else { return stream }
        return stream.flatMapError { _ in
            let (retry, _) = self.connection(key, on: eventLoop, timeout: timeout, replacing: connection)
            return retry.flatMap { Self.stream(on: $0, endpoint: endpoint, pool: pool) }
        }
    }

    /// The connection for `key`: the shared one if it is open or opening, else a new one.
    /// `replacing` is forgotten first (a connection that just failed to open a stream).
    private func connection(_ key: Key, on eventLoop: any EventLoop, timeout: TimeAmount,
                            replacing failed: EventLoopFuture<any Channel>?) -> (EventLoopFuture<any Channel>, fresh: Bool) {
        let found: EventLoopFuture<any Channel>? = connections.withLockedValue { connections in
            if let failed, connections[key] === failed { connections[key] = nil }
            return connections[key]
        }
        if let found { return (found, false) }
        let opening = Self.connect(to: key.endpoint, tls: key.tls, on: eventLoop, timeout: timeout, idleTimeout: idleTimeout)
        let winner = connections.withLockedValue { connections -> EventLoopFuture<any Channel> in
            if let raced = connections[key] { return raced }
            connections[key] = opening
            return opening
        }
        guard winner === opening else {
            opening.whenSuccess { $0.close(promise: nil) }
            return (winner, false)
        }
        opening.whenComplete { result in
            switch result {
            case .success(let channel):
                channel.closeFuture.whenComplete { _ in self.forget(key, opening) }
            case .failure:
                self.forget(key, opening)
            }
        }
        return (opening, true)
    }

    private func forget(_ key: Key, _ future: EventLoopFuture<any Channel>) {
        connections.withLockedValue { connections in
            if connections[key] === future { connections[key] = nil }
        }
    }

    /// TCP connect, TLS when `tls` is given, then the HTTP/2 client connection (preface and
    /// SETTINGS go out at once, after the handshake with TLS; a backend that sends nothing
    /// back within `timeout` is given up, see `H2CHandshakeTimer`). Server push is refused:
    /// there is no one to give a pushed stream to.
    static func connect(to endpoint: Endpoint, tls: BackendTLSClient? = nil, on eventLoop: any EventLoop, timeout: TimeAmount,
                        idleTimeout: TimeAmount) -> EventLoopFuture<any Channel> {
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try BackendTLSConnector.secure(channel, with: tls) }
                    var settings = NIOHTTP2Handler.ConnectionConfiguration()
                    settings.initialSettings = nioDefaultSettings + [HTTP2Setting(parameter: .enablePush, value: 0)]
                    try channel.pipeline.syncOperations.addHandler(H2CHandshakeTimer(timeout: timeout))
                    let idle = H2CIdleCloser(timeout: idleTimeout)
                    try channel.pipeline.syncOperations.addHandler(idle)
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: settings, streamConfiguration: .init(), streamDelegate: idle.delegate,
                        inboundStreamInitializer: { stream in stream.close() })
                    try channel.pipeline.syncOperations.addHandler(H2CConnectionErrorCloser())
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
        return tls == nil ? connecting : connecting.flatMap(BackendTLSConnector.handshaken)
    }

    /// A request stream on `connection`, set up like an HTTP/1.1 upstream connection.
    static func stream(on connection: any Channel, endpoint: Endpoint, pool: ConnectionPool<UpstreamHandler>) -> EventLoopFuture<any Channel> {
        let promise = connection.eventLoop.makePromise(of: (any Channel).self)
        do {
            let multiplexer = try connection.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
            multiplexer.createStreamChannel(promise: promise) { stream in
                stream.eventLoop.makeCompletedFuture {
                    let sync = stream.pipeline.syncOperations
                    try sync.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http))
                    try sync.addHandler(UpstreamHandler(endpoint: endpoint, pool: pool))
                }
            }
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// Closes every connection (proxy stop); streams in flight end with them.
    func closeAll() {
        let all = connections.withLockedValue { connections -> [EventLoopFuture<any Channel>] in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for future in all { future.whenSuccess { $0.close(promise: nil) } }
    }

    /// Connections open or opening (tests: one per endpoint and loop, reused).
    var count: Int { connections.withLockedValue { $0.count } }
}

/// Closes a backend connection that has not sent a single byte within `timeout` of
/// connecting. An HTTP/2 server's first bytes are its SETTINGS (RFC 9113 §3.4); an HTTP/1.1
/// server may instead take the preface for a request (`PRI * HTTP/2.0`) and wait for more,
/// which would hold the exchange until the route timeout. Whatever does arrive is judged by
/// `NIOHTTP2Handler` (non-HTTP/2 bytes are a protocol error that closes the connection), so
/// both end in the exchange's 502. Leaves the pipeline at the first read.
final class H2CHandshakeTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timer?.cancel()
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }
}

/// The last handler of a backend HTTP/2 connection: a connection error (bytes that are not
/// HTTP/2, a protocol violation) makes the connection unusable, so it is closed; its streams
/// then end, and their exchanges answer 502.
final class H2CConnectionErrorCloser: ChannelInboundHandler {
    typealias InboundIn = Any

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

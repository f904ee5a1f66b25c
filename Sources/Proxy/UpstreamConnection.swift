import NIOCore
import NIOHTTP1
import NIOPosix

/// Who receives what an upstream connection reads: the downstream handler of the exchange
/// currently using it. Called on the connection's event loop, which is also the
/// downstream channel's loop (see `ConnectionPool`).
protocol UpstreamDelegate: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    /// The end of a read batch from the backend: flush what `upstreamReceived` wrote.
    func upstreamReadComplete()
    func upstreamWritabilityChanged()
    /// The connection closed; `malformed` when its response did not parse as HTTP.
    func upstreamClosed(malformed: Bool)
    /// True while the downstream client cannot take more bytes: reads from the backend wait.
    var upstreamReadsPaused: Bool { get }
}

/// The last handler of an upstream (backend) connection: forwards response parts to the
/// exchange using the connection, and holds reads while the client is slow (back-pressure).
/// Thin on purpose: an idle pooled connection has no delegate and any data it reads is a
/// protocol violation, so it is closed.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange's owner, held strongly only while it uses this connection: it lets go
    /// whenever it detaches the connection (`DownstreamHandler`), and a closed connection
    /// lets go itself. Not weak: a weakly referenced object counts every reference the
    /// slow way, through a side table (see `RawUpstreamHandler.delegate`).
    var delegate: (any UpstreamDelegate)?
    /// The backend's bytes did not parse as an HTTP response.
    private var malformedResponse = false
    /// Part of an answer to the current request arrived (a 1xx included).
    private var answered = false
    /// The connection failed (a reset) rather than closed.
    private var failed = false
    let endpoint: Endpoint
    /// TLS to the backend (BackendTLSPolicy): the connection is pooled for exchanges that
    /// ask for the same handshake only.
    let tls: BackendTLSClient?
    private let pool: ConnectionPool<UpstreamHandler>
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    init(endpoint: Endpoint, pool: ConnectionPool<UpstreamHandler>, tls: BackendTLSClient? = nil) {
        self.endpoint = endpoint
        self.pool = pool
        self.tls = tls
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let delegate else {
            context.close(promise: nil)
            return
        }
        let part = unwrapInboundIn(data)
        // After a reset the decoder still ends a body that runs until the close: that end
        // is not the backend's, and the answer stays unfinished (channelInactive reports it).
        if failed, case .end = part { return }
        answered = true
        delegate.upstreamReceived(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed(context)
        context.fireChannelInactive()
    }

    private func reportClosed(_ context: ChannelHandlerContext) {
        pool.remove(context.channel, endpoint: endpoint, tls: tls)
        let delegate = self.delegate
        self.delegate = nil
        // After any of an answer, as on the byte path (`RawUpstreamHandler`): the backend saw
        // the request, so it is not sent again, and what came is no response.
        delegate?.upstreamClosed(malformed: malformedResponse || answered)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Decoder errors and resets: the connection is unusable; channelInactive reports it.
        if error is HTTPParserError { malformedResponse = true } else { failed = true }
        context.close(promise: nil)
        // A connection that fails while its first request is written from the connect's
        // callback closes before NIO made it active: no channelInactive follows, and the
        // exchange would wait for an answer that never comes.
        if delegate != nil, !context.channel.isActive { reportClosed(context) }
    }

    func read(context: ChannelHandlerContext) {
        if delegate?.upstreamReadsPaused == true {
            pendingRead = true
        } else {
            context.read()
        }
    }

    /// Writes one request part (from the downstream handler, on this loop).
    func send(_ part: HTTPClientRequestPart, flush: Bool) {
        guard let context else { return }
        if case .head = part { answered = false }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    func flush() { context?.flush() }

    /// The connection (to return it to the pool).
    var channel: (any Channel)? { context?.channel }

    /// The client drained its buffer: read from the backend again if a read was held.
    func resumeReads() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    /// Closes the connection (timeouts, an exchange that gave up on it).
    func close() { context?.close(promise: nil) }

    var isWritable: Bool { context?.channel.isWritable ?? false }
}

/// Opening upstream connections: HTTP/1.1 client pipeline + `UpstreamHandler`, on the
/// event loop of the downstream channel; with `tls` (BackendTLSPolicy), TLS first and the
/// future completes once the backend is authenticated (see `BackendTLSConnector`).
enum UpstreamConnector {
    static func connect(to endpoint: Endpoint, on eventLoop: any EventLoop, pool: ConnectionPool<UpstreamHandler>,
                        timeout: TimeAmount, tls: BackendTLSClient? = nil) -> EventLoopFuture<any Channel> {
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try BackendTLSConnector.secure(channel, with: tls) }
                    // Bytes after a 101 response belong to the upgraded protocol (see WebSocketTunnel);
                    // other 1xx answers (100 Continue, 103 Early Hints) are forwarded to the client
                    // (RFC 9110 §15.2: a proxy MUST forward the 1xx responses it did not ask for).
                    let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .forward)
                    // No NIOHTTPRequestHeadersValidator: the head was checked before connecting
                    // (`HeadSerializer.isSendable`), by the byte path's rule.
                    try channel.pipeline.syncOperations.addHandlers([HTTPRequestEncoder(), ByteToMessageHandler(decoder)])
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(endpoint: endpoint, pool: pool, tls: tls))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
        return tls == nil ? connecting : connecting.flatMap(BackendTLSConnector.handshaken)
    }
}

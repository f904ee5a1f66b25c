import NIOCore
import NIOHTTP1
import NIOPosix

/// Who receives a byte-path backend connection's response: the `FastPathHandler` of the
/// exchange using it, on the same event loop (see `ConnectionPool`).
protocol RawUpstreamDelegate: AnyObject {
    /// An informational (1xx) head, ahead of the final one.
    func rawUpstreamInformational(_ head: HTTPResponseHead)
    /// The final head; `endsWithClose` when its body runs until the backend closes.
    func rawUpstreamHead(_ head: RawResponseHead, endsWithClose: Bool)
    /// Bytes of the body as the backend framed them, and how many of them are body (not chunk framing).
    func rawUpstreamBody(_ bytes: ByteBuffer, bodyBytes: Int)
    /// The response is complete; `reusable` when the connection may carry another exchange.
    func rawUpstreamEnd(reusable: Bool)
    func rawUpstreamReadComplete()
    /// The connection closed (or broke) before the response was complete; `malformed` when
    /// the backend's bytes were not an HTTP response.
    func rawUpstreamClosed(malformed: Bool)
    /// True while the client cannot take more bytes: reads from the backend wait.
    var rawUpstreamReadsPaused: Bool { get }
}

/// A backend's final response head as the byte path read it, with its bytes (blank line included).
enum RawResponseHead {
    /// Read where it lies (`PlainResponseHead`).
    case plain(PlainResponseHead, bytes: ByteBuffer)
    /// Parsed in full (`HeadParser.response`).
    case parsed(HTTPResponseHead, bytes: ByteBuffer)
}

/// The only handler of a byte-path backend connection: sends a request head written as
/// bytes, then finds the response's head and the end of its body (`HeadParser`,
/// `ResponseBodyFraming`) and passes the body's bytes on as they come, framing and all.
/// Between exchanges (in the pool) any byte from the backend is a protocol violation and
/// closes the connection, as on the HTTP/1 pipeline (`UpstreamHandler`).
final class RawUpstreamHandler: ChannelDuplexHandler, PooledUpstream {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case awaitingHead(method: HTTPMethod)
        case body(ResponseBodyFraming, keepAlive: Bool)
    }

    /// The exchange's owner, held strongly only while it uses this connection: every way
    /// out (the response's end, a broken or closed connection, `close()`) lets go of it.
    /// Not weak: a weakly referenced object gets a side table, and from then on every
    /// retain and release of it takes the slow path (about 900 instructions per proxied
    /// request, docs/benchmarks.md).
    var delegate: (any RawUpstreamDelegate)?
    let endpoint: Endpoint
    var tls: BackendTLSClient? { nil }
    private let pool: ConnectionPool<RawUpstreamHandler>
    private var context: ChannelHandlerContext?
    private var state = State.idle
    /// Bytes read but not yet taken by the current response (a head read in pieces).
    private var pending: ByteBuffer?
    private var pendingRead = false
    /// Bytes of an answer to the current request arrived.
    private var answered = false
    /// The connection failed (a reset) rather than closed.
    private var broke = false

    init(endpoint: Endpoint, pool: ConnectionPool<RawUpstreamHandler>) {
        self.endpoint = endpoint
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    var channel: (any Channel)? { context?.channel }

    /// Sends a request head (the request has no body) and expects its response.
    func send(_ head: ByteBuffer, method: HTTPMethod) {
        guard let context else { return }
        state = .awaitingHead(method: method)
        answered = false
        context.writeAndFlush(wrapOutboundOut(head), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if case .idle = state {
            context.close(promise: nil)
            return
        }
        answered = true
        if var held = pending {
            pending = nil
            held.writeBuffer(&buffer)
            buffer = held
        }
        while buffer.readableBytes > 0, context.channel.isActive {
            switch state {
            case .idle:
                // Bytes after a complete response: the backend is not speaking HTTP/1.1 as it should.
                context.close(promise: nil)
                return
            case .awaitingHead(let method):
                let plain = buffer.withUnsafeReadableBytes { bytes in
                    HeadParser.headEnd(bytes, limit: ProxyLimits.maxResponseHeadBytes).flatMap { end in
                        PlainResponseHead.read(bytes, end: end, requestMethod: method == .HEAD).map { ($0, end) }
                    }
                }
                if let (head, length) = plain {
                    let bytes = buffer.readSlice(length: length)!
                    let framing = ResponseBodyFraming(head.framing)
                    state = .body(framing, keepAlive: true)
                    delegate?.rawUpstreamHead(.plain(head, bytes: bytes), endsWithClose: false)
                    if framing.isDone { finish(keepAlive: true, leftover: buffer.readableBytes) }
                    continue
                }
                switch HeadParser.response(buffer, limit: ProxyLimits.maxResponseHeadBytes) {
                case .incomplete:
                    pending = buffer
                    return
                case .unsupported:
                    return broken(context)
                case .parsed(let head, let length):
                    let bytes = buffer.readSlice(length: length)!
                    if head.status.code < 200 {
                        // The byte path never asks for an upgrade, so a 101 answers nothing.
                        guard !ResponseBodyFraming.isNoAnswer(head, method: method, upgrading: false) else { return broken(context) }
                        delegate?.rawUpstreamInformational(head)
                        continue
                    }
                    guard let kind = ResponseBodyFraming.kind(of: head, requestMethod: method) else { return broken(context) }
                    let framing = ResponseBodyFraming(kind)
                    let keepAlive = HopByHop.persists(head.headers, version: head.version)
                    state = .body(framing, keepAlive: keepAlive)
                    delegate?.rawUpstreamHead(.parsed(head, bytes: bytes), endsWithClose: framing.endsWithClose)
                    if framing.isDone { finish(keepAlive: keepAlive, leftover: buffer.readableBytes) }
                }
            case .body(var framing, let keepAlive):
                let before = framing.bodyBytes
                let taken = buffer.withUnsafeReadableBytes { framing.consume($0) }
                if taken > 0, let slice = buffer.readSlice(length: taken) {
                    state = .body(framing, keepAlive: keepAlive)
                    delegate?.rawUpstreamBody(slice, bodyBytes: framing.bodyBytes - before)
                }
                if framing.isMalformed { return broken(context) }
                if framing.isDone { finish(keepAlive: keepAlive, leftover: buffer.readableBytes) }
            }
        }
    }

    /// The response is complete: the connection goes back to the exchange's owner, which
    /// pools it only when nothing more arrived and the backend keeps it open.
    private func finish(keepAlive: Bool, leftover: Int) {
        state = .idle
        let delegate = self.delegate
        self.delegate = nil
        delegate?.rawUpstreamEnd(reusable: keepAlive && leftover == 0)
    }

    private func broken(_ context: ChannelHandlerContext) {
        let delegate = self.delegate
        self.delegate = nil
        state = .idle
        pending = nil
        context.close(promise: nil)
        delegate?.rawUpstreamClosed(malformed: true)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The only handler of its connection (see above): nothing behind it to be told.
        delegate?.rawUpstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed(context)
        context.fireChannelInactive()
    }

    private func reportClosed(_ context: ChannelHandlerContext) {
        pool.remove(context.channel, endpoint: endpoint)
        let delegate = self.delegate
        self.delegate = nil
        if case .body(let framing, _) = state, framing.endsWithClose, !broke {
            // The close is the end of this body (RFC 9112 §6.3); a reset is not.
            state = .idle
            delegate?.rawUpstreamEnd(reusable: false)
        } else {
            // Any of an answer arrived (a 1xx included): the backend saw the request, so it
            // is not sent again (a POST would run twice), and what came is no response.
            let sawRequest: Bool
            if case .idle = state { sawRequest = false } else { sawRequest = answered }
            state = .idle
            pending = nil
            delegate?.rawUpstreamClosed(malformed: sawRequest)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Resets and the like: the connection is unusable; channelInactive reports it, or,
        // for one that failed before NIO made it active, nothing would (`UpstreamHandler`).
        broke = true
        context.close(promise: nil)
        if delegate != nil, !context.channel.isActive { reportClosed(context) }
    }

    func read(context: ChannelHandlerContext) {
        if delegate?.rawUpstreamReadsPaused == true {
            pendingRead = true
        } else {
            context.read()
        }
    }

    /// The client drained its buffer: read from the backend again if a read was held.
    func resumeReads() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    /// Closes the connection (timeouts, an exchange that gave up on it).
    func close() {
        delegate = nil
        context?.close(promise: nil)
    }
}

/// Opening byte-path backend connections, on the event loop of the client's channel.
enum RawUpstreamConnector {
    static func connect(to endpoint: Endpoint, on eventLoop: any EventLoop, pool: ConnectionPool<RawUpstreamHandler>,
                        timeout: TimeAmount) -> EventLoopFuture<RawUpstreamHandler> {
        let handler = NIOLoopBound(RawUpstreamHandler(endpoint: endpoint, pool: pool), eventLoop: eventLoop)
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler.value) }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .map { _ in handler.value }
    }
}

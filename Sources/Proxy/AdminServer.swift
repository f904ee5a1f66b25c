import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin API's HTTP/1.1 server: reads each request whole (at most
/// `ProxyLimits.adminMaxBodyBytes`), runs `AdminRouter` off the event loop (applying
/// compiles, reviewing replays), answers, and closes the connection.
public final class AdminServer: Sendable {
    public let router: AdminRouter
    private let state = NIOLockedValueBox<(group: MultiThreadedEventLoopGroup?, channel: (any Channel)?)>((nil, nil))
    private let work = DispatchQueue(label: "gwsim-admin", attributes: .concurrent)

    public init(router: AdminRouter) { self.router = router }

    /// Checks the config (a token is required off loopback), binds, and returns the bound address.
    @discardableResult
    public func start() throws -> Endpoint {
        let config = router.config
        try config.validate()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let router = self.router, work = self.work
        do {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(router: router, work: work))
                    }
                }
                .bind(host: config.host, port: config.port).wait()
            state.withLockedValue { $0 = (group, channel) }
            let local = channel.localAddress
            return Endpoint(host: local?.ipAddress ?? config.host, port: local?.port ?? config.port)
        } catch {
            try? group.syncShutdownGracefully()
            let reason = SocketErrorText.describe(error)
            throw AdminError.bindFailed("\(config.host):\(config.port): \(reason)")
        }
    }

    public func stop() {
        let (group, channel) = state.withLockedValue { s in defer { s = (nil, nil) }; return s }
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
    }
}

/// One connection: collects head and body, then hands the request to the router.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: AdminRouter
    let work: DispatchQueue
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(router: AdminRouter, work: DispatchQueue) {
        self.router = router
        self.work = work
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > ProxyLimits.adminMaxBodyBytes { tooLarge = true } else if !tooLarge {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let done: @Sendable (AdminResponse) -> Void = { response in
                loop.execute { Self.write(response, context: bound.value) }
            }
            if tooLarge {
                done(.error(413, "request body over \(ProxyLimits.adminMaxBodyBytes) bytes"))
                return
            }
            let request = AdminRequest(method: head.method.rawValue, target: head.uri,
                                       authorization: head.headers["authorization"].first, body: String(decoding: body, as: UTF8.self))
            body = []
            let router = self.router
            work.async { done(router.handle(request)) }
        }
    }

    private static func write(_ response: AdminResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        buffer.writeString(response.body)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

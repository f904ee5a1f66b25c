import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// `gwsim whoami --tcp-echo`: a line-oriented TCP echo backend, optionally behind TLS, that
/// tells a client through a gateway who answered, in the shape of the conformance suite's
/// TCP echo backend (welcome line, `PING` -> `PONG`, `IS_TLS` -> `true`/`false`, `TEST` ->
/// one JSON line naming the pod and the TLS server name it saw). Any other line is echoed
/// back as received; a half-closed client gets its unterminated rest back, then the close.
public final class EchoStreamServer: Sendable {
    public let name: String
    public let namespace: String
    private let host: String
    private let port: Int
    private let tls: NIOSSLContext?
    private let state = NIOLockedValueBox((group: MultiThreadedEventLoopGroup?.none, server: (any Channel)?.none,
                                           clients: [ObjectIdentifier: any Channel]()))
    private let accepted = NIOLockedValueBox(0)

    /// - Parameter tls: serve TLS with this context (the SNI the client sent is reported).
    public init(name: String, namespace: String = "", host: String = "127.0.0.1", port: Int = 0, tls: NIOSSLContext? = nil) {
        self.name = name
        self.namespace = namespace
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// The first line every connection receives.
    public static func welcome(_ name: String) -> String { "gwsim stream echo \(name)\n" }

    @discardableResult
    public func start() throws -> Endpoint {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (name, namespace, tls, state, accepted) = (self.name, self.namespace, self.tls, self.state, self.accepted)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: tls == nil)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.withLockedValue { $0 += 1 }
                    state.withLockedValue { $0.clients[ObjectIdentifier(channel)] = channel }
                    channel.closeFuture.whenComplete { _ in
                        _ = state.withLockedValue { $0.clients.removeValue(forKey: ObjectIdentifier(channel)) }
                    }
                    let echo = EchoLineHandler(name: name, namespace: namespace, tls: tls != nil)
                    let sync = channel.pipeline.syncOperations
                    guard let tls else {
                        try sync.addHandler(echo)
                        return
                    }
                    let peek = ByteToMessageHandler(SNIHandler { result in
                        if case .hostname(let sni) = result { echo.serverName = sni }
                        return channel.eventLoop.makeCompletedFuture {
                            // After the peek: the ClientHello it buffered must reach the TLS handler.
                            let sync = channel.pipeline.syncOperations
                            let peek = try sync.handler(type: ByteToMessageHandler<SNIHandler>.self)
                            try sync.addHandler(NIOSSLServerHandler(context: tls), position: .after(peek))
                        }
                    })
                    try sync.addHandler(peek)
                    try sync.addHandler(echo)
                }
            }
        do {
            let server = try bootstrap.bind(host: host, port: port).wait()
            state.withLockedValue { $0.group = group; $0.server = server }
            return Endpoint(host: server.localAddress?.ipAddress ?? host, port: server.localAddress?.port ?? port)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Connections accepted so far.
    public var connections: Int { accepted.withLockedValue { $0 } }

    public func stop() {
        let (group, server, clients) = state.withLockedValue { state in
            defer { state = (nil, nil, [:]) }
            return (state.group, state.server, Array(state.clients.values))
        }
        try? server?.close().wait()
        for client in clients { try? client.close().wait() }
        try? group?.syncShutdownGracefully()
    }
}

/// The echo protocol of one connection.
final class EchoLineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let name: String
    let namespace: String
    let tls: Bool
    /// The SNI of the ClientHello (TLS only); set before any line arrives.
    var serverName: String?
    private var pending: [UInt8] = []

    init(name: String, namespace: String, tls: Bool) {
        self.name = name
        self.namespace = namespace
        self.tls = tls
    }

    func channelActive(context: ChannelHandlerContext) {
        // With TLS the welcome waits for the handshake (it is written once the TLS handler
        // is in place, see userInboundEventTriggered).
        if !tls { send(EchoStreamServer.welcome(name), context: context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { send(EchoStreamServer.welcome(name), context: context) }
        if case ChannelEvent.inputClosed = event {
            if !pending.isEmpty { context.write(wrapOutboundOut(ByteBuffer(bytes: pending)), promise: nil) }
            pending = []
            context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            answer(String(decoding: line, as: UTF8.self), raw: line, context: context)
        }
        context.flush()
    }

    private func answer(_ line: String, raw: [UInt8], context: ChannelHandlerContext) {
        switch line.trimmingCharacters(in: .whitespaces) {
        case "PING": write("PONG\n", context: context)
        case "IS_TLS": write("\(tls)\n", context: context)
        case "TEST":
            let sni = WhoamiReply.quote(serverName ?? "")
            write("{\"namespace\":\(WhoamiReply.quote(namespace)),\"pod\":\(WhoamiReply.quote(name)),"
                  + "\"tls\":{\"serverName\":\(sni)}}\n", context: context)
        default:
            context.write(wrapOutboundOut(ByteBuffer(bytes: raw + [UInt8(ascii: "\n")])), promise: nil)
        }
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

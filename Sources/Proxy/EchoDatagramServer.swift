import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `gwsim whoami --udp-echo`: answers every datagram with `<name>:` followed by the
/// datagram's bytes, so a client behind a UDP listener sees both the echo and which
/// backend produced it.
public final class EchoDatagramServer: Sendable {
    public let name: String
    private let host: String
    private let port: Int
    private let state = NIOLockedValueBox((group: MultiThreadedEventLoopGroup?.none, channel: (any Channel)?.none))
    private let received = NIOLockedValueBox(0)

    public init(name: String, host: String = "127.0.0.1", port: Int = 0) {
        self.name = name
        self.host = host
        self.port = port
    }

    @discardableResult
    public func start() throws -> Endpoint {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let prefix = Array("\(name):".utf8)
        let received = self.received
        do {
            let channel = try DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramEchoHandler(prefix: prefix) {
                            received.withLockedValue { $0 += 1 }
                        })
                    }
                }
                .bind(host: host, port: port).wait()
            state.withLockedValue { $0 = (group, channel) }
            return Endpoint(host: channel.localAddress?.ipAddress ?? host, port: channel.localAddress?.port ?? port)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Datagrams answered so far.
    public var datagrams: Int { received.withLockedValue { $0 } }

    public func stop() {
        let (group, channel) = state.withLockedValue { state in
            defer { state = (nil, nil) }
            return state
        }
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
    }
}

final class DatagramEchoHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    private let prefix: [UInt8]
    private let onDatagram: @Sendable () -> Void

    init(prefix: [UInt8], onDatagram: @escaping @Sendable () -> Void) {
        self.prefix = prefix
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onDatagram()
        var reply = context.channel.allocator.buffer(capacity: prefix.count + envelope.data.readableBytes)
        reply.writeBytes(prefix)
        reply.writeImmutableBuffer(envelope.data)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: reply)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

import NIOCore
import NIOHTTP1
import NIOPosix

/// A fire-and-forget copy of one request to a mirror backend (HTTPRoute RequestMirror).
///
/// Best effort by design: the copy is fed the same parts as the real upstream, but if the
/// mirror connection is not open yet and the buffer would pass `ProxyLimits.mirrorBufferBytes`,
/// or it is not writable, the mirror is abandoned. The real request never waits for a
/// mirror, and the mirror's response is read and discarded. Lives on the exchange's loop.
final class MirrorSender {
    private var channel: (any Channel)?
    private var buffered: [HTTPClientRequestPart] = []
    private var bufferedBytes = 0
    private var abandoned = false

    /// Opens a fresh connection to `endpoint` and starts with `head`.
    init(head: HTTPRequestHead, endpoint: Endpoint, eventLoop: any EventLoop, connectTimeout: TimeAmount) {
        buffered = [.head(head)]
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The mirrored head is the forwarded one, checked before (`HeadSerializer.isSendable`).
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(MirrorResponseDiscarder())
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel): self.connected(channel)
                case .failure: self.abandon()
                }
            }
    }

    private func connected(_ channel: any Channel) {
        guard !abandoned else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        channel.eventLoop.assumeIsolated().scheduleTask(in: ProxyLimits.mirrorTimeout) { channel.close(promise: nil) }
        let parts = buffered
        buffered = []
        for part in parts { channel.write(part, promise: nil) }
        channel.flush()
    }

    /// Copies one request part; drops the mirror rather than buffer or wait.
    func send(_ part: HTTPClientRequestPart) {
        guard !abandoned else { return }
        guard let channel else {
            if case .body(.byteBuffer(let buffer)) = part { bufferedBytes += buffer.readableBytes }
            if bufferedBytes > ProxyLimits.mirrorBufferBytes { abandon() } else { buffered.append(part) }
            return
        }
        guard channel.isWritable else {
            abandon()
            return
        }
        channel.writeAndFlush(part, promise: nil)
    }

    /// Stops mirroring this request (the client went away, or the mirror fell behind).
    func abandon() {
        abandoned = true
        buffered = []
        channel?.close(promise: nil)
        channel = nil
    }
}

/// Reads and drops a mirror's response, closing the connection at its end (mirror
/// connections are not pooled: they are rare and their backends may be slow).
final class MirrorResponseDiscarder: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

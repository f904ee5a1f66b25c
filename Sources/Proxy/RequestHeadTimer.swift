import NIOCore

/// Answers 408 and closes a connection whose request head is still incomplete
/// `ProxyLimits.requestHeadTimeout` after its first byte arrived: a client that trickles a
/// head a byte at a time (slowloris) keeps the idle timer from ever firing, since every
/// byte is activity.
///
/// Sits before the HTTP/1 decoder and sees raw bytes; `DownstreamHandler` tells it when a
/// head was decoded (`headReceived`) and when the next one may start (`expectHead`). The
/// timer is armed at the end of a read batch that left a head unfinished, so a head that
/// arrives whole (the usual case) costs no timer at all.
final class RequestHeadTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var expecting = true
    private var readSinceExpecting = false
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount = ProxyLimits.requestHeadTimeout) { self.timeout = timeout }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if expecting { readSinceExpecting = true }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if expecting, readSinceExpecting, deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.expired(context) }
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    /// A whole head was decoded: no deadline until the next one is expected.
    func headReceived() {
        expecting = false
        readSinceExpecting = false
        deadline?.cancel()
        deadline = nil
    }

    /// The exchange is over; bytes from now on belong to the next head.
    func expectHead() {
        expecting = true
        readSinceExpecting = false
    }

    private func expired(_ context: ChannelHandlerContext) {
        deadline = nil
        guard expecting, context.channel.isActive else { return }
        let body = "request header not received in time\n"
        var buffer = context.channel.allocator.buffer(capacity: 128)
        buffer.writeString("HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n"
            + "content-length: \(body.utf8.count)\r\n\r\n" + body)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(buffer), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

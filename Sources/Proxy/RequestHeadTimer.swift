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
///
/// Behind the byte path it is not a handler of its own: `FastPathHandler`, the next one,
/// passes it each read (`readArrived`, `readBatchEnded`), which spares every request two
/// trips through the pipeline.
final class RequestHeadTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var expecting = true
    private var readSinceExpecting = false
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount = ProxyLimits.requestHeadTimeout) { self.timeout = timeout }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readArrived()
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readBatchEnded(context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    /// Bytes arrived, before the handlers behind read them.
    func readArrived() {
        if expecting { readSinceExpecting = true }
    }

    /// A read batch ended; `context` answers 408 if the deadline passes.
    func readBatchEnded(_ context: ChannelHandlerContext) {
        if expecting, readSinceExpecting, deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.expired(context) }
        }
    }

    /// The connection is closing: no deadline any more.
    func stop() {
        deadline?.cancel()
        deadline = nil
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

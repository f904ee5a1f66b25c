import NIOCore

/// Fires `IdleStateHandler.IdleStateEvent.all` once a connection has neither read nor
/// flushed anything for `timeout`, like `IdleStateHandler(allTimeout:)`, without its cost
/// per write: NIO's handler attaches a promise and a completion callback to every write
/// to time its completion, which on a proxied exchange is several allocations per
/// response. Here a flush counts as activity when it is issued; the difference (a write
/// that never completes) does not matter: a client that stops reading stops the flushes
/// too (the handlers stop reading from the backend while it is not writable). Also on
/// each HTTP/2 stream, where it times the stream's exchange (`Exchange.stall`).
final class ConnectionIdleTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let timeout: TimeAmount
    private var clock: IdleClock?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clock?.stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock?.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock?.reading = true
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        clock?.readEnded(now: context.eventLoop.now)
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        clock?.flushed(now: context.eventLoop.now)
        context.flush()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard clock == nil else { return }
        clock = IdleClock(timeout: timeout, now: context.eventLoop.now)
        schedule(context, at: clock!.firstCheck)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        clock?.check = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.fire(context) }
    }

    private func fire(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, let next = clock?.nextCheck(now: context.eventLoop.now) else { return }
        schedule(context, at: next.at)
        if next.idle { context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all) }
    }
}

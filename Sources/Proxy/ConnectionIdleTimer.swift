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
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    /// Between a read and its read-complete the connection is busy, not idle.
    private var reading = false
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        lastActivity = context.eventLoop.now
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        context.flush()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        lastActivity = context.eventLoop.now
        schedule(context, at: lastActivity + timeout)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.fire(context) }
    }

    private func fire(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if reading {
            schedule(context, at: now + timeout)
            return
        }
        let due = lastActivity + timeout
        guard now >= due else { return schedule(context, at: due) }
        schedule(context, at: now + timeout)
        context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
    }
}

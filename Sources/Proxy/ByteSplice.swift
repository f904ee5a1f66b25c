import NIOCore

/// One side of a layer-4 connection pair (TLS passthrough, TCP): what this channel reads,
/// the partner channel writes, byte for byte.
///
/// - Back-pressure: a side reads only while its partner is writable (`read` is held and
///   replayed when the partner drains), so a slow peer slows the other down.
/// - Half-close: when one peer shuts down its sending side (needs `allowRemoteHalfClosure`),
///   the partner's output is shut down once its pending writes are flushed; the pair closes
///   when both directions are done, or when either side closes or fails.
/// - Idleness: an `IdleStateHandler` event on either side closes both.
/// Unlike `TunnelHandler` (WebSocket), half-close is kept: TCP protocols rely on it.
final class SpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: SpliceHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var early: [ByteBuffer] = []
    private var inputDone = false
    /// Bytes this side read from its peer.
    private(set) var bytesRead = 0
    /// Called once, when this side's channel goes inactive.
    private let onInactive: (() -> Void)?

    init(onInactive: (() -> Void)? = nil) { self.onInactive = onInactive }

    /// Glues two handlers together: what one reads, the other writes.
    static func glue(_ first: SpliceHandler, _ second: SpliceHandler) {
        first.partner = second
        second.partner = first
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        for buffer in early { context.write(wrapOutboundOut(buffer), promise: nil) }
        if !early.isEmpty { context.flush() }
        early = []
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private func partnerWrite(_ buffer: ByteBuffer) {
        guard let context else {
            early.append(buffer)
            return
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private var partnerWritable: Bool { partner?.context?.channel.isWritable ?? true }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytesRead += buffer.readableBytes
        partner?.partnerWrite(buffer)
    }

    func read(context: ChannelHandlerContext) {
        if partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    private func resumeRead() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    /// The peer of the other side stopped sending: stop sending to ours, after what is queued.
    private func shutdownOutput() {
        guard let context else { return }
        let channel = context.channel
        context.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        onInactive?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputDone = true
            if partner?.inputDone ?? true {
                context.close(promise: nil)
            } else {
                partner?.shutdownOutput()
            }
            return
        }
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

import NIOCore

/// One side of a spliced connection pair (TLS passthrough, TCP, and HTTP connections after
/// an upgrade): what this channel reads, the partner channel writes, byte for byte.
///
/// - Back-pressure: a side reads only while its partner is writable (`read` is held and
///   replayed when the partner drains), so a slow peer slows the other down.
/// - Half-close: when one peer shuts down its sending side (needs `allowRemoteHalfClosure`),
///   the partner's output is shut down once its pending writes are flushed; the pair closes
///   when both directions are done, or when either side closes or fails.
/// - Idleness: an `IdleStateHandler` event on either side closes both.
/// - Before it is glued to a partner, a side asks for no reads (its `read` is held), so a
///   TCP client's first bytes wait in the socket until the backend connection exists. NIO
///   still drains a socket whose peer already half-closed: such bytes, and the half-close,
///   are kept and passed on at `glue`.
final class SpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: SpliceHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var early: [ByteBuffer] = []
    private var inputDone = false
    /// Bytes read before the partner was glued.
    private var unsent: [ByteBuffer] = []
    /// Bytes this side read from its peer.
    private(set) var bytesRead = 0
    /// Called once, when this side's channel goes inactive.
    var onInactive: (() -> Void)?

    init(onInactive: (() -> Void)? = nil) { self.onInactive = onInactive }

    /// Glues two handlers together (what one reads, the other writes) and lets a side that
    /// is already in its pipeline read what it held back.
    static func glue(_ first: SpliceHandler, _ second: SpliceHandler) {
        first.partner = second
        second.partner = first
        first.passOnEarlyInput()
        second.passOnEarlyInput()
        first.resumeRead()
        second.resumeRead()
    }

    /// What this side read (and a half-close it saw) before it had a partner.
    private func passOnEarlyInput() {
        guard let partner else { return }
        for buffer in unsent { partner.partnerWrite(buffer) }
        unsent = []
        if inputDone { partner.inputDone ? context?.close(promise: nil) : partner.shutdownOutput() }
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

    /// False until glued: reads wait for the partner.
    private var partnerWritable: Bool { partner.map { $0.context?.channel.isWritable ?? true } ?? false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytesRead += buffer.readableBytes
        if let partner { partner.partnerWrite(buffer) } else { unsent.append(buffer) }
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
            guard let partner else { return }  // passed on at glue
            if partner.inputDone {
                context.close(promise: nil)
            } else {
                partner.shutdownOutput()
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

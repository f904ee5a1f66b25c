import NIOCore

/// The HTTP/2 form of `RequestHeadTimer`: closes a connection on which a header block
/// (a HEADERS frame without END_HEADERS, then CONTINUATION frames, RFC 9113 §6.10) is
/// still open `timeout` after it began. Every frame resets the idle timer, so a client
/// trickling empty CONTINUATION frames would otherwise hold the connection, and the
/// memory of the block, for as long as it likes. NIO's HTTP/2 handler does not report
/// a block it is still assembling, so this handler, on the socket side of it, follows
/// the frames the client sends.
final class HeaderBlockTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let headersType: UInt8 = 0x1
    private static let continuationType: UInt8 = 0x9
    private static let endHeaders: UInt8 = 0x4
    /// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (RFC 9113 §3.4) comes before the first frame.
    static let prefaceBytes = 24

    private let timeout: TimeAmount
    private var frames = HTTP2FrameWalker(prefaceBytes: HeaderBlockTimer.prefaceBytes)
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var open = deadline != nil
        buffer.withUnsafeReadableBytes { bytes in
            frames.walk(bytes, capture: { _ in 0 }) { frame in
                if frame.type == Self.headersType || frame.type == Self.continuationType {
                    open = frame.flags & Self.endHeaders == 0
                }
                return false
            }
        }
        if open, deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
        } else if !open, let pending = deadline {
            pending.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}

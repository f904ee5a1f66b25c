import NIOCore

/// Closes an HTTP/2 connection once a GOAWAY for an error condition has been written:
/// RFC 9113 §5.4.1 says the endpoint MUST then close the TCP connection. NIO's HTTP/2
/// handler writes that GOAWAY itself and reports the error the way it reports a stream
/// error, so the error cannot tell the two apart; the frame can. This handler sits
/// between the HTTP/2 handler and the socket (or TLS), follows the frames written, and
/// reads the error code of every GOAWAY (§6.8: after the 4-byte last stream id). A
/// GOAWAY with NO_ERROR, the graceful one sent when draining, leaves the connection open.
/// Without the close, a client could go on sending frames that each cost an error and
/// another GOAWAY (a CONTINUATION flood grew the proxy by gigabytes).
final class ErrorGoAwayCloser: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private static let goAwayType: UInt8 = 0x7
    /// Last-stream-id (4 bytes), then the error code (4 bytes).
    private static let goAwayCodeEnd = 8

    private var frames = HTTP2FrameWalker()
    private var closing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else { return context.write(data, promise: promise) }
        var sawErrorGoAway = false
        if case .byteBuffer(let buffer) = unwrapOutboundIn(data) {
            buffer.withUnsafeReadableBytes { bytes in
                frames.walk(bytes, capture: { $0 == Self.goAwayType ? Self.goAwayCodeEnd : 0 }) { frame in
                    sawErrorGoAway = frame.type == Self.goAwayType && frame.payload.count == Self.goAwayCodeEnd
                        && frame.payload[4..<8].contains { $0 != 0 }
                    return sawErrorGoAway
                }
            }
        }
        // A file region is never written on an HTTP/2 connection (DATA goes as buffers).
        guard sawErrorGoAway else { return context.write(data, promise: promise) }
        closing = true
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        context.write(data, promise: written)
    }
}

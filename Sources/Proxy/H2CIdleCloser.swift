import NIOCore
import NIOHTTP2

/// Closes a shared backend HTTP/2 connection (`HTTP2ConnectionPool`) once no stream has
/// been open on it for `timeout`, as idle pooled HTTP/1.1 connections age out
/// (`ProxyLimits.upstreamIdleTimeout`). Without it a backend that keeps idle connections
/// open (gRPC servers do by default), or one a configuration change removed, would keep
/// its socket until the proxy stops.
///
/// Streams are counted by swift-nio-http2's stream delegate (`delegate`), on the
/// connection's event loop. At most one check is pending: it is scheduled when the last
/// stream closes and none is, and a stream opened meanwhile only makes it look again
/// later, so a busy connection costs a counter per stream, not a timer.
final class H2CIdleCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let timeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var idleSince = NIODeadline.uptimeNanoseconds(0)
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    /// Tells the closer about the connection's streams; install it with the HTTP/2 handler.
    var delegate: Delegate { Delegate(closer: NIOLoopBound(self, eventLoop: context!.eventLoop)) }

    struct Delegate: NIOHTTP2StreamDelegate {
        let closer: NIOLoopBound<H2CIdleCloser>
        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) { closer.value.openStreams += 1 }
        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) { closer.value.streamClosed() }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        becameIdle()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    private func streamClosed() {
        openStreams -= 1
        if openStreams == 0 { becameIdle() }
    }

    private func becameIdle() {
        guard let context else { return }
        idleSince = context.eventLoop.now
        if check == nil { schedule(at: idleSince + timeout) }
    }

    private func schedule(at deadline: NIODeadline) {
        guard let context else { return }
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.fire() }
    }

    private func fire() {
        check = nil
        // A stream is open: the next time none is schedules the next check.
        guard let context, openStreams == 0 else { return }
        let due = idleSince + timeout
        if context.eventLoop.now >= due {
            context.close(promise: nil)
        } else {
            schedule(at: due)
        }
    }
}

import NIOCore
import NIOEmbedded
@testable import Proxy
import Testing

/// The client idle timer fires only after `timeout` without a read or a flush, and again
/// every `timeout` while the connection stays idle.
@Suite struct ConnectionIdleTimerTests {
    /// Counts the idle events that reach the end of the pipeline.
    final class IdleEvents: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        var count = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent { count += 1 }
        }
    }

    private func channel() throws -> (EmbeddedChannel, IdleEvents) {
        let events = IdleEvents()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ConnectionIdleTimer(timeout: .seconds(10)))
        try channel.pipeline.syncOperations.addHandler(events)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, events)
    }

    @Test func firesAfterTheTimeoutWithoutActivity() throws {
        let (channel, events) = try channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(events.count == 0)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(events.count == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(events.count == 2)
        _ = try channel.finish()
    }

    @Test func readsAndFlushesPostponeIt() throws {
        let (channel, events) = try channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try channel.writeInbound(ByteBuffer(string: "GET"))
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))  // 12 s: 6 s after the read
        #expect(events.count == 0)
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 200 OK"))  // write and flush
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))  // 21 s: 9 s after the flush
        #expect(events.count == 0)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(events.count == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func aReadInProgressIsNotIdle() throws {
        let (channel, events) = try channel()
        // A read without its read-complete yet: the connection is busy.
        channel.pipeline.fireChannelRead(ByteBuffer(string: "G"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(15))
        #expect(events.count == 0)
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(events.count == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}

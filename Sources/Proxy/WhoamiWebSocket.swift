import NIOCore
import NIOHTTP1
import NIOWebSocket

/// WebSocket on `gwsim whoami`, as the conformance suite's echo backend offers it (the
/// HTTPRouteBackendProtocolWebSocket probe): a valid upgrade request (RFC 6455 section 4.2,
/// checked by `NIOWebSocketServerUpgrader`) gets 101, then every text or binary message is
/// sent back as it came, pings are answered, a close is returned and ends the connection.
/// Any other upgrade request is an ordinary request (answered by the echo).
enum WhoamiWebSocket {
    static func upgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            })
    }

    /// Echoes messages frame by frame (server frames are never masked).
    final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        private var closing = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            let payload = frame.unmaskedData
            switch frame.opcode {
            case .text, .binary, .continuation:
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: payload)), promise: nil)
            case .ping:
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: payload)), promise: nil)
            case .connectionClose:
                guard !closing else { return context.close(promise: nil) }
                closing = true
                let closed = context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
                closed.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            default:
                break
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

import NIOCore
import NIOHTTP1

/// After a backend accepted an upgrade (101 Switching Protocols, e.g. WebSocket), the
/// client and backend connections stop speaking HTTP: the HTTP codecs are removed on both
/// sides and one `TunnelHandler` per side copies raw bytes to the other.
///
/// Back-pressure: a side reads only while its partner is writable (`read` is held and
/// replayed on writability), so a slow peer slows the other down instead of filling memory.
/// Either side closing (or failing) closes the other.
final class TunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: TunnelHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Bytes that arrived before this side was in its pipeline (none in practice).
    private var early: [ByteBuffer] = []
    /// The partner ended before this side was in its pipeline: close once added.
    private var partnerEnded = false

    /// Two glued handlers: what one reads, the other writes.
    static func pair() -> (TunnelHandler, TunnelHandler) {
        let first = TunnelHandler()
        let second = TunnelHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        for buffer in early { context.write(wrapOutboundOut(buffer), promise: nil) }
        if !early.isEmpty { context.flush() }
        early = []
        if partnerEnded { context.close(promise: nil) }
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
        partner?.partnerWrite(unwrapInboundIn(data))
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

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClosed()
        context.fireChannelInactive()
    }

    private func partnerClosed() {
        guard let context else {
            partnerEnded = true
            return
        }
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // Half-close passes on as a full close: the tunnel is over once one side ends.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Turning both connections of an upgraded exchange into a tunnel.
enum WebSocketTunnel {
    /// True for a request asking to switch protocols (`Connection: upgrade` + `Upgrade`).
    static func isUpgrade(_ head: HTTPRequestHead) -> Bool {
        guard !head.headers["upgrade"].isEmpty else { return false }
        return head.headers["connection"].contains { value in
            value.split(separator: ",").contains { trimmedOWS($0).lowercased() == "upgrade" }
        }
    }

    /// Glues `client` (whose last handler is `downstream`) and `backend` (whose last is
    /// `upstream`): adds the tunnel handlers, then removes the HTTP handlers. The decoders
    /// go last, so bytes they hold back after the upgrade flow into the tunnel
    /// (the backend's decoder forwards them; the client must wait for the 101 anyway).
    static func splice(client: any Channel, downstream: RemovableChannelHandler, backend: any Channel,
                       upstream: RemovableChannelHandler) throws {
        let (clientSide, backendSide) = TunnelHandler.pair()
        let clientSync = client.pipeline.syncOperations
        let backendSync = backend.pipeline.syncOperations
        try clientSync.addHandler(clientSide)
        try backendSync.addHandler(backendSide)
        clientSync.removeHandler(downstream, promise: nil)
        backendSync.removeHandler(upstream, promise: nil)
        remove(HTTPServerPipelineHandler.self, from: clientSync)
        remove(NIOHTTPResponseHeadersValidator.self, from: clientSync)
        remove(HTTPResponseEncoder.self, from: clientSync)
        remove(NIOHTTPRequestHeadersValidator.self, from: backendSync)
        remove(HTTPRequestEncoder.self, from: backendSync)
        remove(ByteToMessageHandler<HTTPResponseDecoder>.self, from: backendSync)
        remove(ByteToMessageHandler<HTTPRequestDecoder>.self, from: clientSync)
        // A read the HTTP handlers held back would never be replayed: ask again.
        client.read()
        backend.read()
    }

    private static func remove<Handler: RemovableChannelHandler>(_ type: Handler.Type, from sync: ChannelPipeline.SynchronousOperations) {
        guard let handler = try? sync.handler(type: type) else { return }
        sync.removeHandler(handler, promise: nil)
    }
}

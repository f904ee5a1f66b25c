import NIOCore

/// Tells HTTP/2 with prior knowledge from HTTP/1.1 on a cleartext connection by its first
/// bytes, then sets the pipeline up for the one it is and steps aside.
///
/// RFC 9113 §3.3: a client that knows the server speaks HTTP/2 sends the connection preface
/// (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`) first, and no HTTP/1.1 request line can start that
/// way, so a mismatch on any byte means HTTP/1.1. Gateway API (grpcroute_types.go) requires
/// exactly this on HTTP listeners for GRPCRoute. The bytes read while deciding are handed on
/// unchanged to whatever `configure` adds.
final class H2CPrefaceDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Detected: Sendable { case http1, http2 }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Adds the handlers for the detected protocol at the end of the pipeline.
    private let configure: (Detected, any Channel) throws -> Void
    private var received: ByteBuffer?

    init(configure: @escaping (Detected, any Channel) throws -> Void) {
        self.configure = configure
    }

    /// `.http2` once the whole preface arrived, `.http1` at the first byte that differs,
    /// nil while what arrived is a proper prefix of the preface.
    static func detect<Bytes: Collection>(_ bytes: Bytes) -> Detected? where Bytes.Element == UInt8 {
        let count = min(bytes.count, preface.count)
        guard bytes.prefix(count).elementsEqual(preface.prefix(count)) else { return .http1 }
        return count == preface.count ? .http2 : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if received == nil {
            received = buffer
        } else {
            received!.writeBuffer(&buffer)
        }
        guard let detected = Self.detect(received!.readableBytesView) else { return }
        let bytes = received!
        received = nil
        do {
            try configure(detected, context.channel)
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Idle before a protocol is known: nobody else owns the connection yet.
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

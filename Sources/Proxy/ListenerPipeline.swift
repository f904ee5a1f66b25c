import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOTLS

/// How an accepted client connection is set up, per listener protocol. One place, so HTTP
/// and HTTPS connections end in the very same `DownstreamHandler` logic:
///
/// - HTTP: idle timer, then by the first bytes (`H2CPrefaceDetector`): the HTTP/1.1 server
///   codec and `DownstreamHandler` (scheme `http`), or, after the HTTP/2 connection preface
///   (h2c with prior knowledge, what gRPC clients send), the HTTP/2 pipeline below.
/// - HTTPS: idle timer, SNI peek (the ClientHello's server name picks the certificate among
///   the listeners sharing the port, and is kept for routing so 421 works; a TLS listener on
///   the port that names the server more specifically takes the connection instead), TLS, then ALPN:
///   `h2` gets one HTTP/2 stream channel per request (HTTP/1-style parts through
///   `HTTP2FramePayloadToHTTP1ServerCodec`), `http/1.1` or no ALPN the HTTP/1.1 pipeline.
enum ListenerPipeline {
    static func decoderLimits() -> NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = ProxyLimits.maxHeaderBytes
        limits.maxHeaderFieldSize = ProxyLimits.maxHeaderFieldBytes
        return limits
    }

    /// Cleartext listener connection: HTTP/1.1, or HTTP/2 with prior knowledge (h2c).
    static func configureHTTP(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        let sync = channel.pipeline.syncOperations
        let idleTimer = ConnectionIdleTimer(timeout: runtime.config.clientIdleTimeout)
        try sync.addHandler(idleTimer)
        try sync.addHandler(H2CPrefaceDetector { detected, channel in
            let sync = channel.pipeline.syncOperations
            switch detected {
            case .http1:
                // The byte path keeps the idle clock itself (`IdleClock`): one handler fewer per event.
                if runtime.config.bytePath { sync.removeHandler(idleTimer, promise: nil) }
                try addHTTP1(sync, runtime: runtime, listenerPort: listenerPort, scheme: "http", sni: nil,
                             keepsIdleClock: runtime.config.bytePath)
            case .http2:
                try sync.addHandler(TLSIdleCloser())
                try HTTP2Pipeline.add(to: channel, runtime: runtime, listenerPort: listenerPort, scheme: "http", sni: nil)
            }
        })
        runtime.clientOpened(channel)
    }

    /// HTTP/1.1: the byte path (`FastPathHandler`), which drives the request head timer
    /// itself and adds the server codec and the downstream handler behind itself when a
    /// request needs them; without the byte path, the timer as a handler and those two.
    /// `keepsIdleClock`: the caller took the connection's `ConnectionIdleTimer` away, and
    /// the byte path keeps its idle rule instead.
    static func addHTTP1(_ sync: ChannelPipeline.SynchronousOperations, runtime: ProxyRuntime, listenerPort: Int,
                         scheme: String, sni: String?, keepsIdleClock: Bool = false) throws {
        let headTimer = RequestHeadTimer(timeout: runtime.config.requestHeadTimeout)
        let addFullPipeline = { (sync: ChannelPipeline.SynchronousOperations) in
            try addHTTP1Codec(sync, runtime: runtime, listenerPort: listenerPort, scheme: scheme, sni: sni, headTimer: headTimer)
        }
        guard runtime.config.bytePath else {
            try sync.addHandler(headTimer)
            return try addFullPipeline(sync)
        }
        try sync.addHandler(FastPathHandler(runtime: runtime, listenerPort: listenerPort, scheme: scheme, sni: sni, headTimer: headTimer,
                                            idleTimeout: keepsIdleClock ? runtime.config.clientIdleTimeout : nil,
                                            addFullPipeline: addFullPipeline))
    }

    /// The HTTP/1.1 server codec and the downstream handler.
    private static func addHTTP1Codec(_ sync: ChannelPipeline.SynchronousOperations, runtime: ProxyRuntime, listenerPort: Int,
                                      scheme: String, sni: String?, headTimer: RequestHeadTimer) throws {
        try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withServerUpgrade: nil, withErrorHandling: false,
                                             withOutboundHeaderValidation: true, withEncoderConfiguration: .init(),
                                             withDecoderLimitConfiguration: decoderLimits())
        try sync.addHandler(DownstreamHandler(runtime: runtime, listenerPort: listenerPort, scheme: scheme, sni: sni, headTimer: headTimer))
    }

    /// HTTPS listener connection: TLS is set up once the ClientHello's SNI is known.
    static func configureHTTPS(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ConnectionIdleTimer(timeout: runtime.config.clientIdleTimeout))
        try sync.addHandler(TLSIdleCloser())
        try sync.addHandler(ByteToMessageHandler(SNIHandler { result in
            let sni: String?
            if case .hostname(let name) = result { sni = name } else { sni = nil }
            if runtime.world.table.tlsListenerTakes(gateway: nil, port: listenerPort, sni: sni) {
                // A TLS listener on this port names the server more specifically than any HTTPS listener.
                return StreamListener.startTLSSession(channel, runtime: runtime, listenerPort: listenerPort, sni: sni)
            }
            return startTLS(channel, runtime: runtime, listenerPort: listenerPort, sni: sni)
        }))
        runtime.clientOpened(channel)
    }

    /// Adds the TLS handler with the certificate SNI selects (from the current world, so a
    /// swapped certificate applies to new connections), then the ALPN switch.
    private static func startTLS(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int, sni: String?) -> EventLoopFuture<Void> {
        guard let handler = runtime.world.tls.serverHandler(port: listenerPort, sni: sni) else {
            // The certificate went away in a swap: nothing to offer.
            return channel.close()
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(handler)
        }.flatMap {
            channel.configureHTTP2SecureUpgrade(
                h2ChannelConfigurator: { channel in
                    HTTP2Pipeline.configure(channel, runtime: runtime, listenerPort: listenerPort, sni: sni)
                },
                http1ChannelConfigurator: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        // HTTP/1.1: the downstream handler decides about idleness (between requests only).
                        if let closer = try? sync.handler(type: TLSIdleCloser.self) { sync.removeHandler(closer, promise: nil) }
                        try addHTTP1(sync, runtime: runtime, listenerPort: listenerPort, scheme: "https", sni: sni)
                    }
                })
        }
    }
}

/// Closes a TLS connection that saw no I/O for the idle timeout while nothing else owns the
/// decision: before the handshake completes (a client that never sends a ClientHello) and
/// on HTTP/2 connections (also cleartext h2c ones). Removed when HTTP/1.1 is negotiated (`DownstreamHandler` decides).
final class TLSIdleCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// HTTP/2 streams open on the connection (`HTTP2Pipeline`). While one is, its own idle
    /// timer judges it (`Exchange.stall`: a 504 rather than a connection gone), and the
    /// connection stays; the streams' timers fire after this one's, so it must wait for them.
    var openStreams = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if openStreams == 0 { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

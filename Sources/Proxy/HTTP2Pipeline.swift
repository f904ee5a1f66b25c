import NIOCore
import NIOHTTP1
import NIOHTTP2

/// HTTP/2 downstream: negotiated with ALPN `h2` on an HTTPS listener, or with prior
/// knowledge (h2c, see `H2CPrefaceDetector`) on an HTTP listener.
///
/// Each HTTP/2 stream becomes a child channel whose pipeline is the HTTP/1-style codec
/// `HTTP2FramePayloadToHTTP1ServerCodec` followed by an ordinary `DownstreamHandler`: one
/// stream is one exchange, so routing, forwarding, back-pressure (stream flow control
/// reaches the handler as writability), recording and local answers are exactly those
/// of HTTP/1.1; request and response trailers (gRPC's `grpc-status`) travel in `.end`.
/// The backend protocol is chosen per exchange (`UpstreamProtocol`): HTTP/2 for h2c
/// backends and GRPCRoutes, HTTP/1.1 otherwise.
enum HTTP2Pipeline {
    static func configure(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int, sni: String?) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try add(to: channel, runtime: runtime, listenerPort: listenerPort, scheme: "https", sni: sni)
        }
    }

    /// Adds the HTTP/2 server handler (on the channel's event loop).
    static func add(to channel: any Channel, runtime: ProxyRuntime, listenerPort: Int, scheme: String, sni: String?) throws {
        // Socket side of the HTTP/2 handler, so that they see the frames it reads and writes.
        try channel.pipeline.syncOperations.addHandler(HeaderBlockTimer(timeout: runtime.config.requestHeadTimeout))
        try channel.pipeline.syncOperations.addHandler(ErrorGoAwayCloser())
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        // NIO's default header list limit is 16 KiB; the proxy's is the one HTTP/1.1 has.
        connection.initialSettings = [HTTP2Setting(parameter: .maxConcurrentStreams, value: ProxyLimits.maxConcurrentStreams),
                                      HTTP2Setting(parameter: .maxHeaderListSize, value: ProxyLimits.maxHeaderBytes)]
        let closer = (try? channel.pipeline.syncOperations.handler(type: TLSIdleCloser.self)).map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: .init(),
            inboundStreamInitializer: { stream in
                stream.eventLoop.makeCompletedFuture {
                    if let closer {
                        closer.value.openStreams += 1
                        stream.closeFuture.whenComplete { _ in closer.value.openStreams -= 1 }
                    }
                    let sync = stream.pipeline.syncOperations
                    // Each stream is an exchange, held to the idle timeout on its own.
                    try sync.addHandler(ConnectionIdleTimer(timeout: runtime.config.clientIdleTimeout))
                    try sync.addHandler(HTTP2RequestAuthority())
                    try sync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    try sync.addHandler(DownstreamHandler(runtime: runtime, listenerPort: listenerPort, scheme: scheme, sni: sni,
                                                          http2: true))
                }
            })
    }
}

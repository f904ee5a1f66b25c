import NIOCore
import NIOHTTP1
import NIOHTTP2

/// HTTP/2 downstream (negotiated with ALPN `h2` on an HTTPS listener).
///
/// Each HTTP/2 stream becomes a child channel whose pipeline is the HTTP/1-style codec
/// `HTTP2FramePayloadToHTTP1ServerCodec` followed by an ordinary `DownstreamHandler`: one
/// stream is one exchange, so routing, forwarding, back-pressure (stream flow control
/// reaches the handler as writability), recording and local answers are exactly those
/// of HTTP/1.1. The backend is still spoken to in HTTP/1.1 (also for
/// `appProtocol: kubernetes.io/h2c` backends, for now).
enum HTTP2Pipeline {
    static func configure(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int, sni: String?) -> EventLoopFuture<Void> {
        channel.configureHTTP2Pipeline(mode: .server, inboundStreamInitializer: { stream in
            stream.eventLoop.makeCompletedFuture {
                let sync = stream.pipeline.syncOperations
                try sync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try sync.addHandler(DownstreamHandler(runtime: runtime, listenerPort: listenerPort, scheme: "https", sni: sni,
                                                      http2: true))
            }
        }).map { _ in }
    }
}

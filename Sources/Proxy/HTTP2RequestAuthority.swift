import NIOCore
import NIOHTTP2

/// Readies an HTTP/2 request head for NIO's conversion to HTTP/1 parts, which throws (and
/// so resets the stream with CANCEL) where RFC 9113 §8.3.1 asks for an answer instead:
/// - no `:authority` but a `host` field: the host is that field (added as `:authority`);
/// - `:authority` and `host` that differ: malformed (§8.3.1 SHOULD); the head then
///   carries both hosts, which `RequestTarget` refuses with 400 as it does two Host fields;
/// - `CONNECT` (no `:path` or `:scheme`, §8.5): given its authority as the target, so that
///   `RequestTarget` answers 405 as it does over HTTP/1.1.
/// Either way the request reaches `DownstreamHandler`, which answers and records it.
final class HTTP2RequestAuthority: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    private var seenHead = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !seenHead, case .headers(var frame) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        seenHead = true
        var headers = frame.headers
        let authority = headers.first(name: ":authority")
        let host = headers.first(name: "host")
        if authority == nil, let host { headers.add(name: ":authority", value: host) }
        if let authority, let host, authority.lowercased() != host.lowercased() { headers.add(name: "host", value: authority) }
        if headers.first(name: ":method") == "CONNECT" {
            if headers.first(name: ":path") == nil { headers.add(name: ":path", value: authority ?? host ?? "") }
            if headers.first(name: ":scheme") == nil { headers.add(name: ":scheme", value: "http") }
        }
        frame.headers = headers
        context.fireChannelRead(wrapInboundOut(.headers(frame)))
    }
}

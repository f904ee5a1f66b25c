import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// HTTP/2 over TLS for the live conformance run (requests with `protocol: H2`): ALPN `h2`
/// only, the case's server name, the suite's stand-in certificates trusted as for
/// `LiveHTTPSClient`; one connection and one stream per request. Upstream's H2 transport
/// (roundtripper.go h2Transport) sends these so that the gateway sees a Host (:authority)
/// that may differ from the SNI the connection was opened with (misdirected requests).
enum LiveHTTP2Client {
    static func send(host: String, port: Int, serverName: String?, clientCertificate: String? = nil, method: String, target: String,
                     headers: [(String, String)], body: String?, timeoutSeconds: Int64 = 5) throws -> LiveHTTPClient.Response {
        let context = try LiveHTTPSClient.context(alpn: ["h2"], clientCertificate: clientCertificate)
        let sni = LiveHTTPSClient.serverNameIndication(serverName)
        struct Box: @unchecked Sendable { let multiplexer: HTTP2StreamMultiplexer }
        let connection = try ClientBootstrap(group: LiveHTTPSClient.group)
            .connectTimeout(.seconds(timeoutSeconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: sni))
                }
            }
            .connect(host: host, port: port).wait()
        defer { connection.close(promise: nil) }
        let timeout = connection.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) { connection.close(promise: nil) }
        defer { timeout.cancel() }
        let multiplexer = try connection.configureHTTP2Pipeline(mode: .client, inboundStreamInitializer: nil)
            .map { Box(multiplexer: $0) }.wait().multiplexer
        let collector = StreamCollector(eventLoop: connection.eventLoop)
        let created = connection.eventLoop.makePromise(of: (any Channel).self)
        multiplexer.createStreamChannel(promise: created) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .https))
                try stream.pipeline.syncOperations.addHandler(collector)
            }
        }
        let stream = try created.futureResult.wait()
        var head = HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: target)
        // Connection-specific fields are not allowed in HTTP/2 (RFC 9113 section 8.2.2).
        for (name, value) in headers where !["connection", "keep-alive", "transfer-encoding", "upgrade"].contains(name.lowercased()) {
            head.headers.add(name: name, value: value)
        }
        let bodyBytes = Array((body ?? "").utf8)
        if !bodyBytes.isEmpty { head.headers.replaceOrAdd(name: "content-length", value: String(bodyBytes.count)) }
        stream.write(HTTPClientRequestPart.head(head), promise: nil)
        if !bodyBytes.isEmpty {
            var buffer = stream.allocator.buffer(capacity: bodyBytes.count)
            buffer.writeBytes(bodyBytes)
            stream.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
        }
        stream.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return try collector.done.futureResult.wait()
    }

    /// Collects one stream's response.
    final class StreamCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let done: EventLoopPromise<LiveHTTPClient.Response>
        private var response: LiveHTTPClient.Response?
        private var body: [UInt8] = []

        init(eventLoop: any EventLoop) { done = eventLoop.makePromise() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                response = LiveHTTPClient.Response(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: "")
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard var response else { return }
                response.body = String(decoding: body, as: UTF8.self)
                done.succeed(response)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            done.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(LiveHTTPClient.ClientError(description: "HTTP/2 stream closed without a response"))
        }
    }
}

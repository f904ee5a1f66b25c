import NIOCore
import NIOHTTP1
import NIOHTTP2

/// The protocols `gwsim whoami` serves on one port: HTTP/1.1 (set up by `http1`), and
/// HTTP/2 with prior knowledge (h2c), told apart by the first bytes (`H2CPrefaceDetector`,
/// after TLS when there is TLS). Over HTTP/2 every stream gets the HTTP/1-style codec,
/// `WhoamiGRPCHandler` (gRPC calls) and the ordinary `WhoamiHandler` (everything else).
/// Behind TLS, each stream's answers carry the handshake's server name as HTTP/1.1 ones
/// do (`serverName`, the connection's `WhoamiServerNameHeader`).
enum WhoamiProtocols {
    static func configure(_ channel: any Channel, name: String, stats: WhoamiStats, serverName: WhoamiServerNameHeader? = nil,
                          http1: @escaping (any Channel) throws -> Void) throws {
        try channel.pipeline.syncOperations.addHandler(H2CPrefaceDetector { detected, channel in
            let sync = channel.pipeline.syncOperations
            switch detected {
            case .http1:
                try http1(channel)
            case .http2:
                _ = try sync.configureHTTP2Pipeline(
                    mode: .server, connectionConfiguration: .init(), streamConfiguration: .init(),
                    inboundStreamInitializer: { stream in
                        stream.eventLoop.makeCompletedFuture {
                            let sync = stream.pipeline.syncOperations
                            try sync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                            if let serverName {
                                let header = WhoamiServerNameHeader()
                                header.serverName = serverName.serverName
                                try sync.addHandler(header)
                            }
                            try sync.addHandler(WhoamiGRPCHandler(name: name, stats: stats))
                            try sync.addHandler(WhoamiHandler(name: name, stats: stats))
                        }
                    })
            }
        })
    }
}

/// Answers a gRPC call (`content-type: application/grpc...`) on one HTTP/2 stream with one
/// message carrying the JSON echo (`WhoamiReply.json`: name, method, host, path, headers,
/// addresses), then the `grpc-status` trailer: any method of any service, so a test client
/// reads who answered and what arrived without protobuf. The request body must be complete
/// length-prefixed messages (else `grpc-status: 13`); its size and FNV-1a hash are in
/// `x-whoami-body-bytes` / `x-whoami-body-fnv1a`, as on HTTP. Other requests pass through.
final class WhoamiGRPCHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let name: String
    private let stats: WhoamiStats
    /// The head of the gRPC call being read; nil when the stream is not gRPC.
    private var call: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyHash: UInt64 = Fnv1a.offset

    init(name: String, stats: WhoamiStats) {
        self.name = name
        self.stats = stats
    }

    static func isGRPC(_ head: HTTPRequestHead) -> Bool {
        head.headers["content-type"].first?.lowercased().hasPrefix("application/grpc") ?? false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .head(let head) = part, Self.isGRPC(head) { call = head }
        guard let call else { return context.fireChannelRead(data) }
        switch part {
        case .head: break
        case .body(let buffer):
            buffer.withUnsafeReadableBytes { bodyHash = Fnv1a.hash($0, seed: bodyHash) }
            body += buffer.readableBytesView
        case .end:
            self.call = nil
            respond(context: context, to: call)
        }
    }

    private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
        stats.requestAnswered()
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "x-whoami-name", value: name)
        headers.add(name: "x-whoami-body-bytes", value: String(body.count))
        headers.add(name: "x-whoami-body-fnv1a", value: String(bodyHash, radix: 16))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        var trailers = HTTPHeaders()
        if GRPCFraming.messages(in: body) != nil {
            let local = context.channel.localAddress?.ipAddress ?? ""
            let remote = context.channel.remoteAddress.map { Endpoint(host: $0.ipAddress ?? "", port: $0.port ?? 0).description } ?? ""
            let echo = WhoamiReply.json(name: name, head: head, remoteAddr: remote, listen: local)
            let message = context.channel.allocator.buffer(bytes: GRPCFraming.frame(Array(echo.utf8)))
            context.write(wrapOutboundOut(.body(.byteBuffer(message))), promise: nil)
            trailers.add(name: "grpc-status", value: String(GRPCFraming.Status.ok.rawValue))
        } else {
            trailers.add(name: "grpc-status", value: String(GRPCFraming.Status.internal.rawValue))
            trailers.add(name: "grpc-message", value: "request body is not complete length-prefixed messages")
        }
        body = []
        bodyHash = Fnv1a.offset
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// A small blocking HTTP/2 client with prior knowledge (h2c) for the live conformance run
/// and the tests: one connection, any number of requests on streams of their own, each
/// request's whole response (head, body, trailers) returned at once. Not a general client:
/// no TLS, no redirects, bodies held in memory.
public final class H2CClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Names lower-cased, as HTTP/2 carries them, in order.
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// The trailing HEADERS frame (gRPC's `grpc-status`), empty when there was none.
        public var trailers: [(String, String)]

        public func header(_ name: String) -> String? { Self.value(name, in: headers) }
        public func trailer(_ name: String) -> String? { Self.value(name, in: trailers) }
        /// gRPC status: from the trailers, or from the headers of a trailers-only response.
        public var grpcStatus: Int? { (trailer("grpc-status") ?? header("grpc-status")).flatMap { Int($0) } }

        static func value(_ name: String, in fields: [(String, String)]) -> String? {
            let values = fields.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
    }

    public struct ClientError: Error, CustomStringConvertible {
        public var description: String
    }

    private let connection: any Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let timeout: TimeAmount

    /// Connects and sends the HTTP/2 preface (on `group`, NIO's shared group by default).
    public init(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                timeout: TimeAmount = .seconds(5)) throws {
        let connected = try ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
                        inboundStreamInitializer: { stream in stream.close() })
                }
            }
            .connect(host: host, port: port).wait()
        do {
            multiplexer = try connected.eventLoop.submit {
                try connected.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
            }.wait()
        } catch {
            connected.close(promise: nil)
            throw error
        }
        connection = connected
        self.timeout = timeout
    }

    /// Sends one request on a new stream and waits for the whole response.
    /// - Parameter authority: sent as `:authority` (HTTP/1's Host).
    public func send(method: String = "GET", path: String, authority: String, headers: [(String, String)] = [],
                     body: [UInt8] = []) throws -> Response {
        let eventLoop = connection.eventLoop
        let done = eventLoop.makePromise(of: Response.self)
        let created = eventLoop.makePromise(of: (any Channel).self)
        multiplexer.createStreamChannel(promise: created) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http))
                try stream.pipeline.syncOperations.addHandler(ResponseCollector(done: done))
            }
        }
        var head = HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "host", value: authority)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let bytes = body
        let stream = try created.futureResult.wait()
        stream.write(HTTPClientRequestPart.head(head), promise: nil)
        if !bytes.isEmpty { stream.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil) }
        stream.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let timeout = self.timeout
        let timer = eventLoop.scheduleTask(in: timeout) {
            done.fail(ClientError(description: "no complete response within \(timeout.nanoseconds / 1_000_000) ms"))
            stream.close(promise: nil)
        }
        defer { timer.cancel() }
        return try done.futureResult.wait()
    }

    /// Closes the connection.
    public func close() { try? connection.close().wait() }
}

/// Collects one stream's response and completes `done` with it (or fails it when the
/// stream ends first).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let done: EventLoopPromise<H2CClient.Response>
    private var response = H2CClient.Response(status: 0, headers: [], body: [], trailers: [])
    private var finished = false

    init(done: EventLoopPromise<H2CClient.Response>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response.status = Int(head.status.code)
            response.headers = head.headers.map { ($0.name, $0.value) }
        case .body(let buffer):
            response.body += buffer.readableBytesView
        case .end(let trailers):
            response.trailers = trailers?.map { ($0.name, $0.value) } ?? []
            finished = true
            done.succeed(response)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !finished { finished = true; done.fail(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            done.fail(H2CClient.ClientError(description: "stream closed before the response ended (\(response.status == 0 ? "no response" : "status \(response.status)"))"))
        }
        context.fireChannelInactive()
    }
}

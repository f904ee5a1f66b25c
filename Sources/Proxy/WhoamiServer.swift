import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import NIOSSL

/// `gwsim whoami`: an HTTP/1.1 echo server like the `containous/whoami` container, used as
/// the backend of the seed walkthrough and of the proxy tests.
///
/// Replies with who it is and what it received (text, or JSON with `Accept:
/// application/json`); request bodies are read and discarded, their size and FNV-1a hash
/// are returned in `X-Whoami-Body-Bytes` / `X-Whoami-Body-Fnv1a` so a test can check a
/// streamed body arrived intact. `GET /data?size=N` streams N bytes back (with back-pressure).
/// It also honours the controls of the conformance suite's echo backend (response headers
/// to set, a delay, a status to answer with; see `WhoamiEchoControls`).
public final class WhoamiServer: Sendable {
    public let name: String
    /// Connections accepted and `/data` bytes written so far (tests: pooling, back-pressure).
    public let stats = WhoamiStats()
    private let host: String
    private let port: Int
    /// Serve TLS with this context (see `WhoamiTLS`).
    private let tls: NIOSSLContext?
    private let state = NIOLockedValueBox((group: MultiThreadedEventLoopGroup?.none, server: (any Channel)?.none,
                                           clients: [ObjectIdentifier: any Channel]()))

    public init(name: String = "whoami", host: String = "127.0.0.1", port: Int = 0, tls: NIOSSLContext? = nil) {
        self.name = name
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Binds and serves; returns the bound address (port 0 = ephemeral).
    @discardableResult
    public func start(threads: Int = 1) throws -> Endpoint {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let name = self.name
        let state = self.state
        let stats = self.stats
        let tls = self.tls
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let serverName = try tls.map { try WhoamiTLS.secure(channel, context: $0) }
                    try WhoamiProtocols.configure(channel, name: name, stats: stats, serverName: serverName) { channel in  // HTTP/1.1 (else h2c)
                        // A WebSocket upgrade replaces the echo handler with the WebSocket echo.
                        let upgrade: NIOHTTPServerUpgradeConfiguration = (
                            upgraders: [WhoamiWebSocket.upgrader()],
                            completionHandler: { context in context.pipeline.removeHandler(name: WhoamiHandler.name, promise: nil) })
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withServerUpgrade: upgrade, withErrorHandling: true)
                        if let serverName { try channel.pipeline.syncOperations.addHandler(serverName) }
                        try channel.pipeline.syncOperations.addHandler(WhoamiHandler(name: name, stats: stats), name: WhoamiHandler.name)
                    }
                    stats.connectionAccepted()
                    state.withLockedValue { $0.clients[ObjectIdentifier(channel)] = channel }
                    channel.closeFuture.whenComplete { _ in
                        _ = state.withLockedValue { $0.clients.removeValue(forKey: ObjectIdentifier(channel)) }
                    }
                }
            }
        do {
            let server = try bootstrap.bind(host: host, port: port).wait()
            state.withLockedValue {
                $0.group = group
                $0.server = server
            }
            return Endpoint(host: server.localAddress?.ipAddress ?? host, port: server.localAddress?.port ?? port)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Stops accepting, closes every connection, stops the threads. Idempotent.
    public func stop() {
        let (group, server, clients) = state.withLockedValue { state in
            defer { state = (nil, nil, [:]) }
            return (state.group, state.server, Array(state.clients.values))
        }
        try? server?.close().wait()
        for client in clients { try? client.close().wait() }
        try? group?.syncShutdownGracefully()
    }
}

/// Counters of a `WhoamiServer`.
public final class WhoamiStats: Sendable {
    private let counters = NIOLockedValueBox((connections: 0, streamedBytes: 0, requests: 0, attempts: [String: Int]()))
    func connectionAccepted() { counters.withLockedValue { $0.connections += 1 } }
    func requestAnswered() { counters.withLockedValue { $0.requests += 1 } }
    /// Requests answered since start.
    public var requests: Int { counters.withLockedValue { $0.requests } }
    /// Counts one request of a retry probe; returns how many came before it.
    func attempt(_ key: String) -> Int {
        counters.withLockedValue { counters in
            defer { counters.attempts[key, default: 0] += 1 }
            return counters.attempts[key] ?? 0
        }
    }
    func streamed(_ bytes: Int) { counters.withLockedValue { $0.streamedBytes += bytes } }
    /// Connections accepted since start.
    public var connections: Int { counters.withLockedValue { $0.connections } }
    /// Bytes of `/data` replies handed to the socket since start.
    public var streamedBytes: Int { counters.withLockedValue { $0.streamedBytes } }
}

/// One whoami connection: collects the request head, counts the body, answers at `.end`.
final class WhoamiHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "whoami-echo"

    private let name: String
    private let stats: WhoamiStats
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    private var bodyHash: UInt64 = Fnv1a.offset
    /// Bytes left to stream for `/data?size=N`.
    private var dataLeft = 0
    private var keepAlive = true
    /// Guards `pumpData` against re-entry: a flush can fire writability changes synchronously.
    private var pumping = false

    init(name: String, stats: WhoamiStats) {
        self.name = name
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
            bodyHash = Fnv1a.offset
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            buffer.withUnsafeReadableBytes { bodyHash = Fnv1a.hash($0, seed: bodyHash) }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, to: head)
        }
    }

    private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
        let controls = WhoamiEchoControls(head: head)
        guard let delay = controls.delaySeconds, delay > 0 else { return answer(context: context, to: head, controls: controls) }
        let bodyBytes = self.bodyBytes, bodyHash = self.bodyHash
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay * 1_000_000_000))) {
            guard context.channel.isActive else { return }
            self.bodyBytes = bodyBytes
            self.bodyHash = bodyHash
            self.answer(context: context, to: head, controls: controls)
        }
    }

    private func answer(context: ChannelHandlerContext, to head: HTTPRequestHead, controls: WhoamiEchoControls) {
        stats.requestAnswered()
        let status = controls.attemptKey.flatMap { controls.status(previousAttempts: stats.attempt($0)) }
            .map { HTTPResponseStatus(statusCode: $0) } ?? .ok
        keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "x-whoami-name", value: name)
        headers.add(name: "x-whoami-body-bytes", value: String(bodyBytes))
        headers.add(name: "x-whoami-body-fnv1a", value: String(bodyHash, radix: 16))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        for (name, value) in controls.setHeaders { headers.add(name: name, value: value) }
        if let size = Self.dataSize(head.uri) {
            headers.add(name: "content-type", value: "application/octet-stream")
            headers.add(name: "content-length", value: String(size))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            dataLeft = size
            pumpData(context: context)
            return
        }
        let local = context.channel.localAddress?.ipAddress ?? ""
        let remote = context.channel.remoteAddress.map { Endpoint(host: $0.ipAddress ?? "", port: $0.port ?? 0).description } ?? ""
        let wantsJSON = head.headers["accept"].contains { $0.lowercased().contains("application/json") }
        let body = wantsJSON ? WhoamiReply.json(name: name, head: head, remoteAddr: remote, listen: local)
                             : WhoamiReply.text(name: name, head: head, remoteAddr: remote, ip: local)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        headers.add(name: "content-type", value: wantsJSON ? "application/json" : "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        finish(context: context)
    }

    /// Writes `/data` chunks while the channel is writable; resumes on writability.
    private func pumpData(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while dataLeft > 0 && context.channel.isWritable {
            let count = min(dataLeft, ProxyLimits.whoamiDataChunkBytes)
            var chunk = context.channel.allocator.buffer(capacity: count)
            chunk.writeRepeatingByte(UInt8(ascii: "x"), count: count)
            dataLeft -= count
            stats.streamed(count)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        }
        if dataLeft == 0 { finish(context: context) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if dataLeft > 0 && context.channel.isWritable { pumpData(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func finish(context: ChannelHandlerContext) {
        let future = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { future.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An upgrade to websocket without a valid handshake (no key, another version) is not
        // upgraded: the request goes on as an ordinary one and gets the echo.
        if error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }

    /// N for `/data?size=N` (capped by `ProxyLimits.whoamiMaxDataBytes`).
    static func dataSize(_ uri: String) -> Int? {
        guard uri.hasPrefix("/data?") || uri == "/data" else { return nil }
        for pair in uri.split(separator: "?").dropFirst().joined().split(separator: "&") where pair.hasPrefix("size=") {
            return min(max(0, Int(pair.dropFirst(5)) ?? 0), ProxyLimits.whoamiMaxDataBytes)
        }
        return 0
    }
}

/// FNV-1a 64: a cheap streaming hash, enough to tell a corrupted body from an intact one.
enum Fnv1a {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }
}

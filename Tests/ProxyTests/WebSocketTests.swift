import Foundation
import NIOCore
import NIOPosix
import NIOSSL
@testable import Proxy
import Testing

/// WebSocket (any `Connection: Upgrade`) pass-through: the backend's 101 turns both
/// connections into a byte tunnel.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct WebSocketTests {
    @Test func upgradeRoundTripThroughTheProxy() throws {
        let backend = try UpgradeEchoServer()
        defer { backend.stop() }
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"),
                                       extra: ["kube-system/whoami": [backend.address]])
        defer { harness.stop() }
        let client = try ByteClient(port: harness.port)
        defer { client.close() }
        try client.send("GET / HTTP/1.1\r\nHost: whoami\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        // The backend greets right after its 101, in the same packet: the greeting must not be lost.
        let head = try client.read(until: "hello\n")
        #expect(head.hasPrefix("HTTP/1.1 101"))
        #expect(head.lowercased().contains("upgrade: websocket"))
        #expect(head.lowercased().contains("connection: upgrade"))
        #expect(backend.lastRequest.lowercased().contains("sec-websocket-key: dghlihnhbxbszsbub25jzq=="))
        #expect(backend.lastRequest.lowercased().contains("upgrade: websocket"))
        for message in ["ping-1\n", "a somewhat longer second message\n", String(repeating: "z", count: 100_000) + "\n"] {
            try client.send(message)
            #expect(try client.read(until: message).hasSuffix(message))
        }
        let record = harness.sink.waitFor(1).first
        #expect(record?.observed?.status == 101)
        #expect(harness.proxy.stats.inFlight == 0)
        // Either side closing ends the tunnel.
        backend.closeAll()
        #expect(client.waitClosed())
    }

    /// A tunnel is held to the client idle timeout like any connection: traffic either way
    /// keeps it open, silence both ways for that long closes both sides (here 1 s).
    @Test func aSilentTunnelClosesAfterTheIdleTimeout() throws {
        let backend = try UpgradeEchoServer()
        defer { backend.stop() }
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"),
                                       extra: ["kube-system/whoami": [backend.address]]) { $0.clientIdleTimeout = .seconds(1) }
        defer { harness.stop() }
        let client = try ByteClient(port: harness.port)
        defer { client.close() }
        try client.send("GET / HTTP/1.1\r\nHost: whoami\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        #expect(try client.read(until: "hello\n").hasPrefix("HTTP/1.1 101"))
        for index in 0..<6 {  // 1.5 s in all, never a second apart
            Thread.sleep(forTimeInterval: 0.25)
            try client.send("keep-\(index)\n")
            #expect(try client.read(until: "keep-\(index)\n") == "keep-\(index)\n")
        }
        let quiet = Date()
        #expect(client.waitClosed())
        #expect(Date().timeIntervalSince(quiet) >= 0.9)
    }

    @Test(.enabled(if: TestCertificates.available, "/usr/bin/openssl not found")) func upgradeThroughAnHTTPSListener() throws {
        let backend = try UpgradeEchoServer()
        defer { backend.stop() }
        let fixture = try TLSFixture(extra: ["default/whoami": [backend.address]])
        defer { fixture.stop() }
        let client = try ByteClient(port: fixture.harness.port, tls: (try TLSFixture.clientContext(alpn: ["http/1.1"]), "a.example.com"))
        defer { client.close() }
        try client.send("GET / HTTP/1.1\r\nHost: a.example.com\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n")
        #expect(try client.read(until: "hello\n").hasPrefix("HTTP/1.1 101"))
        #expect(backend.lastRequest.lowercased().contains("x-forwarded-proto: https"))
        try client.send("over tls\n")
        #expect(try client.read(until: "over tls\n") == "over tls\n")
    }

    /// An upgrade after an ordinary request on the same client connection still reaches the
    /// backend as the first request of a connection (gwsim whoami, like any SwiftNIO server,
    /// upgrades only those): it never goes out on a pooled one.
    @Test func upgradeAfterAnOrdinaryRequestGetsItsOwnBackendConnection() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        let connection = try harness.connect()
        #expect(try connection.request("/", host: "whoami").status == 200)
        try connection.send("GET / HTTP/1.1\r\nHost: whoami\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let head = try connection.readHead()
        #expect(head.hasPrefix("HTTP/1.1 101"), "\(head)")
    }

    @Test func upgradeRefusedByTheBackendIsAnOrdinaryResponse() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        let connection = try harness.connect()
        let response = try connection.request("/", host: "whoami", headers: [("Connection", "Upgrade"), ("Upgrade", "websocket")])
        #expect(response.status == 200)
        #expect(response.header("connection") == "close")  // the HTTP/1 parser stopped at the upgrade request
    }
}

/// A backend that accepts any upgrade: answers 101 plus `hello\n`, then echoes bytes.
final class UpgradeEchoServer: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var server: (any Channel)?
    private let lock = NSLock()
    private var request = ""
    private var clients: [any Channel] = []
    private(set) var address = Endpoint(host: "127.0.0.1", port: 0)

    init() throws {
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { [self] channel in
                lock.lock()
                clients.append(channel)
                lock.unlock()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(owner: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        self.server = server
        address = Endpoint(host: "127.0.0.1", port: server.localAddress!.port!)
    }

    var lastRequest: String { lock.lock(); defer { lock.unlock() }; return request }

    func closeAll() {
        lock.lock()
        let open = clients
        lock.unlock()
        for channel in open { channel.close(promise: nil) }
    }

    func stop() {
        try? server?.close().wait()
        closeAll()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let owner: UpgradeEchoServer
        var head = ""
        var upgraded = false
        init(owner: UpgradeEchoServer) { self.owner = owner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if upgraded {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                return
            }
            head += String(buffer: buffer)
            guard let end = head.range(of: "\r\n\r\n") else { return }
            upgraded = true
            owner.lock.lock()
            owner.request = String(head[..<end.lowerBound])
            owner.lock.unlock()
            let rest = String(head[end.upperBound...])
            let reply = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello\n" + rest
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: reply)), promise: nil)
        }
    }
}

/// A blocking byte-level client on `RawHTTPConnection`'s socket approach, but reading until
/// a marker instead of parsing HTTP (after a 101 there is no HTTP any more).
final class ByteClient: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    private let collector = Collector()

    /// - Parameter tls: a client context and the server name to send, for an HTTPS listener.
    init(port: Int, tls: (context: NIOSSLContext, sni: String)? = nil) throws {
        let collector = self.collector
        channel = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: tls.sni)) }
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
    }

    func send(_ text: String) throws {
        try channel.writeAndFlush(channel.allocator.buffer(string: text)).wait()
    }

    /// Everything received up to and including `marker` (waits up to `promptly` seconds).
    func read(until marker: String) throws -> String {
        let deadline = Date().addingTimeInterval(promptly)
        while Date() < deadline {
            if let text = collector.take(until: marker) { return text }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let pending = collector.pending
        throw RawHTTPConnection.Failure.socket("no \(marker.prefix(20).debugDescription) (\(marker.utf8.count) bytes) within \(Int(promptly)) s; got \(pending.utf8.count) bytes: \(pending.prefix(300).debugDescription)")
    }

    /// True when the connection closes within `seconds` (a tunnel that stays open fails the test instead of hanging it).
    func waitClosed(seconds: Int = 15) -> Bool {
        let closed = DispatchSemaphore(value: 0)
        channel.closeFuture.whenComplete { _ in closed.signal() }
        return closed.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    func close() {
        channel.close(promise: nil)
        try? group.syncShutdownGracefully()
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var text = ""

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let chunk = String(buffer: unwrapInboundIn(data))
            lock.lock()
            text += chunk
            lock.unlock()
        }

        var pending: String { lock.lock(); defer { lock.unlock() }; return text }

        /// A byte search (`firstRange(of:)`, which stops where the marker no longer fits):
        /// Foundation's `range(of:)` took seconds to miss a 100 KB marker in a 99 KB text,
        /// holding the lock (and the reads) meanwhile, which let a complete echo time out.
        func take(until marker: String) -> String? {
            lock.lock()
            defer { lock.unlock() }
            let bytes = Array(text.utf8)
            guard let range = bytes.firstRange(of: Array(marker.utf8)) else { return nil }
            text = String(decoding: bytes[range.upperBound...], as: UTF8.self)
            return String(decoding: bytes[..<range.upperBound], as: UTF8.self)
        }
    }
}

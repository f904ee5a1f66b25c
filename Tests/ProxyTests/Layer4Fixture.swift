import EventLog
import Foundation
import GatewayAPI
import NIOCore
import NIOPosix
import NIOSSL
import Proxy
import RoutingCore

/// A Gateway with a TLS passthrough listener (9443), a TCP listener (9000) and a UDP
/// listener (9053), each mapped to an ephemeral local port, in front of real backends:
/// two TLS echo servers (routed by SNI a.example.com / b.example.com), a TCP echo and a
/// UDP echo.
final class Layer4Fixture {
    let tlsA: EchoStreamServer
    let tlsB: EchoStreamServer
    let tcpEcho = EchoStreamServer(name: "tcp-echo", namespace: "default")
    let udpEcho = EchoDatagramServer(name: "udp-echo")
    let sink = RecordSink()
    let proxy: GatewayProxy
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(udpIdle: TimeAmount = .seconds(30)) throws {
        let certificates = try retryingLaunch { try TestCertificates.shared() }
        let contextA = try WhoamiTLS.context(certificatePEM: certificates.a.certificatePEM, keyPEM: certificates.a.keyPEM)
        let contextB = try WhoamiTLS.context(certificatePEM: certificates.b.certificatePEM, keyPEM: certificates.b.keyPEM)
        tlsA = EchoStreamServer(name: "tls-a", namespace: "default", tls: contextA)
        tlsB = EchoStreamServer(name: "tls-b", namespace: "default", tls: contextB)
        let overrides = ["default/tls-a": [try tlsA.start()], "default/tls-b": [try tlsB.start()],
                         "default/tcp-echo": [try tcpEcho.start()], "default/udp-echo": [try udpEcho.start()]]
        var config = ProxyConfig(portMap: [9443: 0, 9000: 0, 9053: 0], backendOverrides: overrides, drainTimeout: .seconds(1))
        config.udpFlowIdleTimeout = udpIdle
        let sink = self.sink
        proxy = GatewayProxy(resources: try Self.resources(), config: config) { record, _ in sink.append(record) }
        try proxy.start()
    }

    func stop() {
        proxy.stop()
        for server in [tlsA, tlsB, tcpEcho] { server.stop() }
        udpEcho.stop()
        try? group.syncShutdownGracefully()
    }

    func localPort(_ listenerPort: Int, udp: Bool = false) -> Int {
        proxy.boundListeners.first { $0.listenerPort == listenerPort && ($0.kind == .udp) == udp }!.address.port
    }

    static let manifests = yamlStream(
        gwsimClassYAML,
        edgeGatewayYAML(listeners: ["{name: tls, port: 9443, protocol: TLS, tls: {mode: Passthrough}}",
                                    "{name: tcp, port: 9000, protocol: TCP}", "{name: udp, port: 9053, protocol: UDP}"]),
        serviceYAML("tls-a", port: 443), serviceYAML("tls-b", port: 443), serviceYAML("tcp-echo", port: 7),
        serviceYAML("udp-echo", port: 53, extra: "protocol: UDP"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: TLSRoute
        metadata: {name: route-a, namespace: default}
        spec:
          parentRefs: [{name: edge, sectionName: tls}]
          hostnames: [a.example.com]
          rules: [{backendRefs: [{name: tls-a, port: 443}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: TLSRoute
        metadata: {name: route-b, namespace: default}
        spec:
          parentRefs: [{name: edge, sectionName: tls}]
          hostnames: [b.example.com]
          rules: [{backendRefs: [{name: tls-b, port: 443}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TCPRoute
        metadata: {name: echo, namespace: default}
        spec:
          parentRefs: [{name: edge, sectionName: tcp}]
          rules: [{backendRefs: [{name: tcp-echo, port: 7}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: UDPRoute
        metadata: {name: echo, namespace: default}
        spec:
          parentRefs: [{name: edge, sectionName: udp}]
          rules: [{backendRefs: [{name: udp-echo, port: 53}]}]
        """)

    static func resources() throws -> ResourceSet {
        let loaded = Loader.load(text: manifests, file: "layer4.yaml", firstLoadOrder: 0)
        guard !loaded.hasErrors else { throw RawHTTPConnection.Failure.malformed("\(loaded.diagnostics)") }
        return loaded.resources
    }
}

/// A blocking line client over a NIO channel (plain or TLS), for the echo protocol.
final class LineClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let lock = NSCondition()
    private var received: [UInt8] = []
    private var closed = false
    let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    /// Connects to 127.0.0.1:`port`; with `sni`, speaks TLS (trusting any certificate).
    static func connect(port: Int, sni: String? = nil, group: any EventLoopGroup) throws -> LineClient {
        let channel = try ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: sni == nil)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sni {
                        var configuration = TLSConfiguration.makeClientConfiguration()
                        configuration.certificateVerification = .none
                        let context = try NIOSSLContext(configuration: configuration)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni))
                    }
                    try channel.pipeline.syncOperations.addHandler(LineClient(channel: channel))
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
        return try channel.pipeline.handler(type: LineClient.self).wait()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        lock.lock()
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        lock.broadcast()
        lock.unlock()
    }

    func channelInactive(context: ChannelHandlerContext) {
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            lock.lock()
            closed = true
            lock.broadcast()
            lock.unlock()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The next line (without its newline), or nil on close/timeout.
    func readLine(timeout: Double = promptly) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<newline], as: UTF8.self)
                received.removeSubrange(...newline)
                return line
            }
            if closed || !lock.wait(until: deadline) { return nil }
        }
    }

    /// Everything until the peer closes (or timeout).
    func readToClose(timeout: Double = promptly) -> (bytes: [UInt8], closed: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !closed && lock.wait(until: deadline) {}
        let bytes = received
        received = []
        return (bytes, closed)
    }

    /// Whether the connection was closed without the peer sending anything more.
    func closedWithoutData(timeout: Double = promptly) -> Bool {
        let (bytes, closed) = readToClose(timeout: timeout)
        return closed && bytes.isEmpty
    }

    func send(_ text: String) throws {
        try channel.writeAndFlush(ByteBuffer(string: text)).wait()
    }

    func sendBytes(_ bytes: [UInt8]) throws {
        try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
    }

    func shutdownOutput() throws { try channel.close(mode: .output).wait() }

    func close() { channel.close(promise: nil) }
}

/// Runs `body` (which launches `openssl`) up to three times: Foundation's `Process.run()`
/// on Linux can fail with EBADF when other threads open and close descriptors meanwhile
/// (the other suites' sockets), which says nothing about the code under test.
func retryingLaunch<T>(_ body: () throws -> T) throws -> T {
    for _ in 0..<2 {
        if let value = try? body() { return value }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try body()
}

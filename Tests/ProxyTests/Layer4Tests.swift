import EventLog
import Foundation
import NIOCore
import NIOPosix
import GatewayAPI
import Proxy
import Replay
import Testing

/// TLS passthrough, TCP and UDP listeners over real sockets on 127.0.0.1.
@Suite(.serialized) struct Layer4Tests {
    @Test func tlsPassthroughIsRoutedBySNIAndNotTerminated() throws {
        try #require(TestCertificates.available)
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        let port = fixture.localPort(9443)
        for (sni, pod) in [("a.example.com", "tls-a"), ("b.example.com", "tls-b")] {
            let client = try LineClient.connect(port: port, sni: sni, group: fixture.group)
            defer { client.close() }
            #expect(client.readLine() == EchoStreamServer.welcome(pod).dropLast().description)
            try client.send("IS_TLS\nTEST\n")
            #expect(client.readLine() == "true")
            let test = client.readLine() ?? ""
            #expect(test.contains("\"pod\":\"\(pod)\""))
            // The backend completed the handshake itself: it saw the client's SNI.
            #expect(test.contains("\"serverName\":\"\(sni)\""))
        }
        let records = fixture.sink.waitFor(2).sorted { ($0.sni ?? "") < ($1.sni ?? "") }
        #expect(records.map(\.scheme) == ["tls", "tls"])
        #expect(records.map(\.sni) == ["a.example.com", "b.example.com"])
        #expect(records.map { $0.observed?.route } == ["TLSRoute/default/route-a", "TLSRoute/default/route-b"])
        #expect(records.allSatisfy { ($0.observed?.bytesIn ?? 0) > 0 && ($0.observed?.bytesOut ?? 0) > 0 })
    }

    @Test func tlsWithoutAMatchingRouteIsClosed() throws {
        try #require(TestCertificates.available)
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        let port = fixture.localPort(9443)
        // Not TLS at all: no server name, no route accepts it.
        let plain = try LineClient.connect(port: port, group: fixture.group)
        try plain.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
        #expect(plain.closedWithoutData())
        let records = fixture.sink.waitFor(1)
        let record = try #require(records.first)
        #expect(record.scheme == "tls")
        #expect(record.observed?.backend == nil)
        #expect(record.observed?.route == nil)
    }

    @Test func tcpEchoThroughATCPListenerWithHalfCloseAndRecord() throws {
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        let client = try LineClient.connect(port: fixture.localPort(9000), group: fixture.group)
        #expect(client.readLine() == "gwsim stream echo tcp-echo")
        try client.send("PING\nhello\n")
        #expect(client.readLine() == "PONG")
        #expect(client.readLine() == "hello")
        // Half-close: the unterminated rest still comes back, then the close.
        try client.send("tail")
        try client.shutdownOutput()
        let (rest, closed) = client.readToClose()
        #expect(String(decoding: rest, as: UTF8.self) == "tail")
        #expect(closed)
        let record = try #require(fixture.sink.waitFor(1).first)
        #expect(record.scheme == "tcp")
        #expect(record.gateway == nil)  // routed by port, as replay routes it
        #expect(record.observed?.route == "TCPRoute/default/echo")
        #expect(record.observed?.backend == "default/tcp-echo:7")
        #expect(record.observed?.bytesIn == 15)
        #expect(record.observed?.bytesOut == "gwsim stream echo tcp-echo\nPONG\nhello\ntail".utf8.count)
    }

    @Test func bytesSentAndHalfClosedBeforeTheBackendIsConnectedArrive() throws {
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        // A plain socket, so that the bytes and the FIN leave within microseconds of the
        // connect: NIO then drains them before the backend connection exists.
        for _ in 0..<20 {
            let answer = try Self.sendAndHalfClose("PING\nhello\n", port: fixture.localPort(9000))
            #expect(answer == "gwsim stream echo tcp-echo\nPONG\nhello\n")
        }
    }

    /// Connects, writes `text`, shuts down the sending side at once, reads until EOF.
    static func sendAndHalfClose(_ text: String, port: Int) throws -> String {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawHTTPConnection.Failure.socket("connect") }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func refusedTCPBackendClosesTheClientAndIsRecorded() throws {
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        fixture.tcpEcho.stop()
        let client = try LineClient.connect(port: fixture.localPort(9000), group: fixture.group)
        #expect(client.closedWithoutData())
        let record = try #require(fixture.sink.waitFor(1).first)
        #expect(record.observed?.status == 503)
        #expect(record.observed?.backend == "default/tcp-echo:7")
    }

    @Test func largeTCPTransferArrivesIntact() throws {
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        let client = try LineClient.connect(port: fixture.localPort(9000), group: fixture.group)
        _ = client.readLine()
        let line = String(repeating: "x", count: 999) + "\n"
        let payload = String(repeating: line, count: 2_000)
        try client.send(payload)
        try client.shutdownOutput()
        let (echoed, closed) = client.readToClose()
        #expect(closed)
        #expect(echoed.count == payload.utf8.count)
    }

    @Test func udpEchoThroughAUDPListener() throws {
        let fixture = try Layer4Fixture(udpIdle: .milliseconds(300))
        defer { fixture.stop() }
        let client = try UDPTestClient(port: fixture.localPort(9053, udp: true), group: fixture.group)
        defer { client.close() }
        #expect(try client.roundTrip("one") == "udp-echo:one")
        #expect(try client.roundTrip("two") == "udp-echo:two")
        #expect(fixture.udpEcho.datagrams == 2)
        // The flow idles out and is recorded once, with both directions counted.
        let record = try #require(fixture.sink.waitFor(1).first)
        #expect(record.scheme == "udp")
        #expect(record.observed?.route == "UDPRoute/default/echo")
        #expect(record.observed?.backend == "default/udp-echo:53")
        #expect(record.observed?.bytesIn == 6)
        #expect(record.observed?.bytesOut == 24)
    }

    @Test func layer4ListenersAreBoundAndReported() throws {
        let fixture = try Layer4Fixture()
        defer { fixture.stop() }
        let kinds = fixture.proxy.boundListeners.map { "\($0.listenerPort)/\($0.kind)" }
        #expect(kinds == ["9000/tcp", "9053/udp", "9443/tls"])
        #expect(fixture.proxy.skippedListeners.isEmpty)
    }
}

/// A connected UDP socket that sends one datagram and waits for one reply.
final class UDPTestClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let condition = NSCondition()
    private var replies: [String] = []
    private var channel: (any Channel)!

    init(port: Int, group: any EventLoopGroup) throws {
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        channel = try DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(self) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        self.target = target
    }

    private var target: SocketAddress?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        condition.lock()
        replies.append(String(buffer: envelope.data))
        condition.broadcast()
        condition.unlock()
    }

    func roundTrip(_ text: String, timeout: Double = promptly) throws -> String? {
        try channel.writeAndFlush(AddressedEnvelope(remoteAddress: target!, data: ByteBuffer(string: text))).wait()
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while replies.isEmpty && condition.wait(until: deadline) {}
        return replies.isEmpty ? nil : replies.removeFirst()
    }

    func close() { channel.close(promise: nil) }
}

/// Layer-4 connections recorded by the proxy replay to the same outcomes (`replay --verify`).
@Suite(.serialized) struct Layer4RecordingTests {
    @Test func recordedConnectionsVerifyAgainstTheReplay() throws {
        try #require(TestCertificates.available)
        let fixture = try Layer4Fixture(udpIdle: .milliseconds(200))
        defer { fixture.stop() }
        for sni in ["a.example.com", "b.example.com", "nobody.example.com"] {
            let client = try LineClient.connect(port: fixture.localPort(9443), sni: sni, group: fixture.group)
            _ = client.readLine()
            client.close()
        }
        let tcp = try LineClient.connect(port: fixture.localPort(9000), group: fixture.group)
        _ = tcp.readLine()
        tcp.close()
        let udp = try UDPTestClient(port: fixture.localPort(9053, udp: true), group: fixture.group)
        _ = try udp.roundTrip("ping")
        udp.close()
        let records = fixture.sink.waitFor(5)
        #expect(records.count == 5)
        #expect(Set(records.map(\.scheme)) == ["tls", "tcp", "udp"])

        let path = try recordedLog(manifests: Layer4Fixture.manifests, file: "layer4.yaml", records: records)
        defer { removeTemporaryLog(path) }
        let result = try Replay.run(ReplayOptions(tracePath: path, verify: true))
        let verification = try #require(result.report.verification)
        #expect(verification.observed == 5)
        #expect(verification.disagreements == 0, "\(verification.text)")
    }
}

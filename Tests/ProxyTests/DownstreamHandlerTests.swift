import EventLog
import GatewayAPI
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import Proxy
import RoutingCore
import Testing

/// The client-facing handler without sockets: gateway answers, keep-alive, hardening.
/// (Forwarding needs a real backend connection; it is covered on loopback.)
@Suite struct DownstreamHandlerTests {
    let sink = RecordSink()

    /// A channel with the same pipeline the proxy builds, routing the seed world with no
    /// endpoints known (so a forward decision answers 503 without connecting anywhere).
    func channel(_ step: String = "02-whoami-httproute.yaml") throws -> EmbeddedChannel {
        let config = ProxyConfig()
        let runtime = ProxyRuntime(world: GatewayProxy.world(resources: seedResources(step), config: config), config: config) { [sink] record, _ in
            sink.append(record)
        }
        let channel = EmbeddedChannel()
        let peer = try SocketAddress(ipAddress: "10.0.0.7", port: 40_000)
        try channel.connect(to: peer).wait()
        channel.remoteAddress = peer
        #expect(channel.isActive)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = ProxyLimits.maxHeaderBytes
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withServerUpgrade: nil, withErrorHandling: false,
                                                                        withOutboundHeaderValidation: true, withEncoderConfiguration: .init(),
                                                                        withDecoderLimitConfiguration: limits)
        try channel.pipeline.syncOperations.addHandler(DownstreamHandler(runtime: runtime, listenerPort: 8000))
        return channel
    }

    func send(_ channel: EmbeddedChannel, _ text: String) throws -> String {
        try channel.writeInbound(ByteBuffer(string: text))
        var out = ""
        while let part: ByteBuffer = try channel.readOutbound() { out += String(buffer: part) }
        return out
    }

    @Test func noRouteIs404AndTheConnectionStaysOpen() throws {
        let channel = try channel()
        let first = try send(channel, "GET / HTTP/1.1\r\nHost: elsewhere\r\nX-Request-Id: r1\r\n\r\n")
        #expect(first.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(first.hasSuffix("\r\n\r\nno route\n"))
        #expect(first.contains("x-request-id: r1\r\n"))
        #expect(channel.isActive)
        let second = try send(channel, "GET / HTTP/1.1\r\nHost: elsewhere\r\n\r\n")
        #expect(second.hasPrefix("HTTP/1.1 404"))
        let records = sink.records
        #expect(records.map(\.observed?.status) == [404, 404])
        #expect(records.first?.client == "10.0.0.7:40000")
        #expect(records.first?.id == "r1")
        _ = try? channel.finish()
    }

    @Test func forwardWithoutEndpointsIs503() throws {
        let channel = try channel()
        let response = try send(channel, "GET / HTTP/1.1\r\nHost: whoami\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 503"))
        #expect(response.contains("no endpoints for kube-system/whoami:80"))
        let observed = sink.records.first?.observed
        #expect(observed?.route == "HTTPRoute/kube-system/http-app-1")
        #expect(observed?.rule == 0)
        #expect(observed?.backend == "kube-system/whoami:80")
        #expect(observed?.endpoint == nil)
        _ = try? channel.finish()
    }

    @Test func connectionCloseIsHonoured() throws {
        let channel = try channel()
        let response = try send(channel, "GET / HTTP/1.1\r\nHost: elsewhere\r\nConnection: close\r\n\r\n")
        #expect(response.contains("connection: close\r\n"))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test func contentLengthAndTransferEncodingIs400AndClose() throws {
        let channel = try channel()
        let response = try? send(channel, "POST / HTTP/1.1\r\nHost: whoami\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        channel.embeddedEventLoop.run()
        #expect(response?.hasPrefix("HTTP/1.1 400") ?? true)
        #expect(!channel.isActive)
    }

    @Test func oversizedHeadIs431AndClose() throws {
        let channel = try channel()
        let big = String(repeating: "b", count: ProxyLimits.maxHeaderBytes + 10)
        var out = ""
        do { out = try send(channel, "GET / HTTP/1.1\r\nHost: whoami\r\nX-Big: \(big)\r\n\r\n") } catch {
            while let part: ByteBuffer = try channel.readOutbound() { out += String(buffer: part) }
        }
        channel.embeddedEventLoop.run()
        #expect(out.hasPrefix("HTTP/1.1 431"))
        #expect(!channel.isActive)
    }

    @Test func garbageIs400AndClose() throws {
        let channel = try channel()
        var out = ""
        do { out = try send(channel, "\u{1}\u{2} nonsense\r\n\r\n") } catch {
            while let part: ByteBuffer = try channel.readOutbound() { out += String(buffer: part) }
        }
        channel.embeddedEventLoop.run()
        #expect(out.hasPrefix("HTTP/1.1 400"))
        #expect(!channel.isActive)
    }
}

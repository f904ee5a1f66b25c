import EventLog
import Foundation
import GatewayAPI
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import Proxy
import Testing

/// gRPC through the live proxy: an h2c client (HTTP/2 with prior knowledge) on a cleartext
/// HTTP listener, a GRPCRoute choosing between two whoami backends by service, HTTP/2
/// towards the backends (inferred from the route kind for one, `appProtocol:
/// kubernetes.io/h2c` for the other), trailers both ways, and HTTP/1.1 on the same port.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct GRPCProxyTests {
    static let manifests = yamlStream(
        gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]),
        serviceYAML("alpha", port: 50051), serviceYAML("beta", port: 50051, extra: "appProtocol: kubernetes.io/h2c"),
        serviceYAML("web"), serviceYAML("http1only", extra: "appProtocol: kubernetes.io/h2c"), """
    apiVersion: gateway.networking.k8s.io/v1
    kind: GRPCRoute
    metadata: {name: grpc, namespace: default}
    spec:
      parentRefs: [{name: edge}]
      hostnames: [grpc.test]
      rules:
      - matches: [{method: {service: pkg.Alpha}}]
        backendRefs: [{name: alpha, port: 50051}]
      - matches: [{method: {service: pkg.Beta}}]
        backendRefs: [{name: beta, port: 50051}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: web, namespace: default}
    spec:
      parentRefs: [{name: edge}]
      hostnames: [web.test]
      rules:
      - matches: [{path: {type: PathPrefix, value: /legacy}}]
        backendRefs: [{name: http1only, port: 80}]
      - matches: [{path: {type: PathPrefix, value: /h2c}}]
        backendRefs: [{name: beta, port: 50051}]
      - backendRefs: [{name: web, port: 80}]
    """)

    /// Proxy, three whoami backends and an HTTP/1.1-only server, on loopback.
    final class Fixture {
        let alpha = WhoamiServer(name: "alpha")
        let beta = WhoamiServer(name: "beta")
        let web = WhoamiServer(name: "web")
        let http1Only: HTTP1OnlyServer
        let sink = RecordSink()
        let proxy: GatewayProxy
        let port: Int

        init(upstreamIdleTimeout: TimeAmount = ProxyLimits.upstreamIdleTimeout) throws {
            http1Only = try HTTP1OnlyServer()
            let loaded = Loader.load(text: GRPCProxyTests.manifests, file: "grpc.yaml")
            precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
            let overrides = ["default/alpha": [try alpha.start()], "default/beta": [try beta.start()],
                             "default/web": [try web.start()], "default/http1only": [http1Only.endpoint]]
            var config = ProxyConfig(portMap: [8080: 0], backendOverrides: overrides, eventLoopThreads: 1,
                                     upstreamConnectTimeout: .seconds(1), drainTimeout: .seconds(2))
            config.upstreamIdleTimeout = upstreamIdleTimeout
            let sink = self.sink
            proxy = GatewayProxy(resources: loaded.resources, config: config) { record, _ in sink.append(record) }
            port = try proxy.start()[0].address.port
        }

        func client() throws -> H2CClient { try H2CClient(host: "127.0.0.1", port: port) }

        func stop() {
            proxy.stop()
            for server in [alpha, beta, web] { server.stop() }
            http1Only.stop()
        }
    }

    static let grpcHeaders = [("content-type", "application/grpc"), ("te", "trailers")]

    static func echo(_ response: H2CClient.Response) throws -> [String: Any] {
        let message = try #require(GRPCFraming.messages(in: response.body)?.first)
        return try #require(try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any])
    }

    @Test func grpcCallsAreRoutedByServiceOverH2CBothWays() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }

        let alpha = try client.send(method: "POST", path: "/pkg.Alpha/Echo", authority: "grpc.test", headers: Self.grpcHeaders,
                                    body: GRPCFraming.frame(Array("ping".utf8)))
        #expect(alpha.status == 200)
        #expect(alpha.header("x-whoami-name") == "alpha")
        #expect(alpha.trailer("grpc-status") == "0")
        let alphaEcho = try Self.echo(alpha)
        #expect(alphaEcho["path"] as? String == "/pkg.Alpha/Echo")
        #expect(alphaEcho["method"] as? String == "POST")
        let seen = try #require(alphaEcho["headers"] as? [String: String])
        #expect(seen["te"] == "trailers")
        #expect(seen["content-type"] == "application/grpc")
        #expect(seen["x-forwarded-proto"] == "http")

        let beta = try client.send(method: "POST", path: "/pkg.Beta/Echo", authority: "grpc.test", headers: Self.grpcHeaders,
                                   body: GRPCFraming.frame([]))
        #expect(beta.header("x-whoami-name") == "beta")
        #expect(beta.grpcStatus == 0)
        #expect(try Self.echo(beta)["path"] as? String == "/pkg.Beta/Echo")

        // No rule for the service: the gateway's 404, which gRPC clients read as Unimplemented.
        let unknown = try client.send(method: "POST", path: "/pkg.Gamma/Echo", authority: "grpc.test", headers: Self.grpcHeaders,
                                      body: GRPCFraming.frame([]))
        #expect(unknown.status == 404)

        // A message much larger than one DATA frame and than the initial flow-control window.
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let framed = GRPCFraming.frame(big)
        let upload = try client.send(method: "POST", path: "/pkg.Alpha/Upload", authority: "grpc.test", headers: Self.grpcHeaders,
                                     body: framed)
        #expect(upload.grpcStatus == 0)
        #expect(upload.header("x-whoami-body-bytes") == String(framed.count))
        #expect(upload.header("x-whoami-body-fnv1a") == String(Self.fnv1a(framed), radix: 16))

        // One HTTP/2 connection per backend, shared by the calls.
        #expect(fixture.alpha.stats.connections == 1)
        #expect(fixture.alpha.stats.requests == 2)
        #expect(fixture.beta.stats.connections == 1)

        let records = fixture.sink.waitFor(4)
        #expect(records.count == 4)
        let first = try #require(records.first { $0.path == "/pkg.Alpha/Echo" })
        #expect(first.method == "POST")
        #expect(first.scheme == "http")
        #expect(first.headers.contains { $0.name.lowercased() == "content-type" && $0.value == "application/grpc" })
        #expect(first.observed?.route == "GRPCRoute/default/grpc")
        #expect(first.observed?.backend == "default/alpha:50051")
        #expect(first.observed?.status == 200)
        #expect(records.first { $0.path == "/pkg.Gamma/Echo" }?.observed?.status == 404)
    }

    /// A shared backend HTTP/2 connection with no stream open for the idle timeout (here
    /// 300 ms) is closed by the proxy (whoami never closes one), and the next call opens a
    /// new one; a call that takes longer than that keeps it, and calls closer together share it.
    @Test func anIdleBackendHTTP2ConnectionIsClosed() throws {
        let fixture = try Fixture(upstreamIdleTimeout: .milliseconds(300))
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }
        func call(delay: String = "") throws -> Int {
            try client.send(path: "/h2c" + delay, authority: "web.test").status
        }
        #expect(try call() == 200)
        let started = Date()
        #expect(try call(delay: "?delay=700ms") == 200)  // whoami's echo control: answers after 700 ms
        #expect(Date().timeIntervalSince(started) >= 0.7)
        #expect(try call() == 200)
        #expect(fixture.beta.stats.connections == 1)
        Thread.sleep(forTimeInterval: 0.8)
        #expect(try call() == 200)
        #expect(fixture.beta.stats.connections == 2)
    }

    /// Finished streams end on their own: were each one reset, a backend would soon take
    /// the resets for an attack (swift-nio-http2 allows 200 in 30 s) and send GOAWAY.
    @Test func manyCallsShareOneBackendConnectionWithoutResets() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }
        var failures = 0
        for _ in 0..<300 {
            let response = try client.send(method: "POST", path: "/pkg.Beta/Echo", authority: "grpc.test", headers: Self.grpcHeaders,
                                           body: GRPCFraming.frame([]))
            if response.grpcStatus != 0 { failures += 1 }
        }
        #expect(failures == 0)
        #expect(fixture.beta.stats.connections == 1)
    }

    @Test func http1StillWorksOnTheSameListener() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let connection = try RawHTTPConnection(port: fixture.port)
        let response = try connection.request("/", host: "web.test")
        #expect(response.status == 200)
        #expect(response.header("x-whoami-name") == "web")
        #expect(response.text.contains("GET / HTTP/1.1"))
        // A plain HTTPRoute over h2c: the backend without appProtocol gets HTTP/1.1.
        let client = try fixture.client()
        defer { client.close() }
        let h2 = try client.send(path: "/", authority: "web.test", headers: [("accept", "application/json")])
        #expect(h2.status == 200)
        #expect(h2.header("x-whoami-name") == "web")
        #expect(fixture.web.stats.requests == 2)
    }

    @Test func aBackendThatRefusesHTTP2Gets502() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }
        let response = try client.send(path: "/legacy", authority: "web.test")
        #expect(response.status == 502)
        // The client connection survives a failed stream.
        #expect(try client.send(path: "/", authority: "web.test").status == 200)
    }

    @Test func whoamiAnswersGRPCDirectlyAndRejectsBrokenFraming() throws {
        let whoami = WhoamiServer(name: "direct")
        let endpoint = try whoami.start()
        defer { whoami.stop() }
        let client = try H2CClient(host: "127.0.0.1", port: endpoint.port)
        defer { client.close() }
        let ok = try client.send(method: "POST", path: "/a.B/C", authority: "x", headers: Self.grpcHeaders, body: GRPCFraming.frame([1, 2]))
        #expect(ok.grpcStatus == 0)
        #expect(try Self.echo(ok)["name"] as? String == "direct")
        let broken = try client.send(method: "POST", path: "/a.B/C", authority: "x", headers: Self.grpcHeaders, body: [0, 0, 0, 0, 9, 1])
        #expect(broken.grpcStatus == 13)
        #expect(broken.body.isEmpty)
    }

    @Test func prefaceDetection() {
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        #expect(H2CPrefaceDetector.detect(preface) == .http2)
        #expect(H2CPrefaceDetector.detect(preface + [0, 0]) == .http2)
        #expect(H2CPrefaceDetector.detect(Array(preface.prefix(10))) == nil)
        #expect(H2CPrefaceDetector.detect(Array("PRIVATE / HTTP/1.1\r\n".utf8)) == .http1)
        #expect(H2CPrefaceDetector.detect(Array("GET / HTTP/1.1\r\n".utf8)) == .http1)
        #expect(H2CPrefaceDetector.detect([UInt8]()) == nil)
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}

/// A server that speaks HTTP/1.1 only (NIO's HTTP/1 server with its error handler): the
/// HTTP/2 preface is a malformed request to it, answered 400 and closed.
final class HTTP1OnlyServer {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    let endpoint: Endpoint

    init() throws {
        channel = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        endpoint = Endpoint(host: "127.0.0.1", port: channel.localAddress?.port ?? 0)
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

import Foundation
import GatewayAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
@testable import Proxy
import RoutingCore
import Testing

/// HTTPS listeners: certificate per SNI among listeners sharing a port, scheme `https` and
/// the SNI reaching the routing core (421), unusable Secrets skipped.
@Suite(.serialized, .timeLimit(.minutes(1)), .enabled(if: TestCertificates.available, "/usr/bin/openssl not found: TLS tests skipped"))
struct TLSTests {
    @Test func httpsRequestWithSNIReachesTheListenersBackend() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let response = try fixture.request(sni: "a.example.com", host: "a.example.com")
        #expect(response.status == 200)
        #expect(response.header("x-whoami-name") == "whoami")
        #expect(response.body.contains("X-Forwarded-Proto: https"))
        #expect(response.peer == fixture.certificates.a.certificate)
        let record = fixture.harness.sink.waitFor(1).first
        #expect(record?.scheme == "https")
        #expect(record?.observed?.status == 200)
    }

    @Test func anotherHostnameGetsItsOwnCertificateAndBackend() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let b = try fixture.request(sni: "b.example.com", host: "b.example.com")
        #expect(b.status == 200)
        #expect(b.header("x-whoami-name") == "nginx")
        #expect(b.peer == fixture.certificates.b.certificate)
        // A wildcard listener hostname shares certificate A (its SAN has *.example.org).
        let org = try fixture.request(sni: "www.example.org", host: "www.example.org")
        #expect(org.status == 200)
        #expect(org.peer == fixture.certificates.a.certificate)
    }

    @Test func hostOfAnotherListenerIsMisdirected() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let response = try fixture.request(sni: "a.example.com", host: "b.example.com")
        #expect(response.status == 421)
    }

    @Test func unusableSecretIsSkippedNotServed() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let skipped = fixture.harness.proxy.skippedListeners.map(\.listener)
        #expect(skipped.contains("default/secure/broken"), "\(skipped)")
        #expect(fixture.harness.proxy.boundListeners.first?.listeners.contains("default/secure/broken") == false)
    }

    @Test func plainHTTPOnAnHTTPSPortIsClosed() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let connection = try RawHTTPConnection(port: fixture.harness.port, timeoutSeconds: 5)
        try connection.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
        #expect(connection.isClosedByPeer())
        #expect(try fixture.request(sni: "a.example.com", host: "a.example.com").status == 200)
    }

    @Test func certificateSelectionPrefersExactThenLongestWildcard() throws {
        let certificates = try TestCertificates.shared()
        let resources = try TLSFixture.resources(certificates)
        let world = GatewayProxy.world(resources: resources, config: ProxyConfig())
        #expect(world.tls.entry(port: 8443, sni: "a.example.com")?.listener == "default/secure/a")
        #expect(world.tls.entry(port: 8443, sni: "x.y.example.org")?.listener == "default/secure/org")
        #expect(world.tls.entry(port: 8443, sni: "B.Example.com")?.listener == "default/secure/b")
        #expect(world.tls.entry(port: 8443, sni: nil)?.listener == "default/secure/a")  // no hostname-less listener: the first
        #expect(world.tls.entry(port: 80, sni: "a.example.com") == nil)
    }
}

// MARK: - fixtures shared by the TLS, HTTP/2 and WebSocket tests

/// Self-signed certificates made with `/usr/bin/openssl` at test time (once per run).
struct TestCertificates: @unchecked Sendable {
    struct Pair {
        let certificatePEM: String
        let keyPEM: String
        var certificate: NIOSSLCertificate { try! NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem) }
    }

    static let openssl = "/usr/bin/openssl"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    /// A: a.example.com and *.example.org. B: b.example.com.
    let a: Pair
    let b: Pair

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: TestCertificates?

    static func shared() throws -> TestCertificates {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let made = TestCertificates(a: try make(cn: "a.example.com", sans: ["a.example.com", "*.example.org"]),
                                    b: try make(cn: "b.example.com", sans: ["b.example.com"]))
        cached = made
        return made
    }

    static func make(cn: String, sans: [String]) throws -> Pair {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("key.pem").path
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-subj", "/CN=\(cn)", "-addext", "subjectAltName=" + sans.map { "DNS:\($0)" }.joined(separator: ","),
                             "-days", "2", "-keyout", keyPath, "-out", certificatePath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RawHTTPConnection.Failure.malformed("openssl exited \(process.terminationStatus)") }
        return Pair(certificatePEM: try String(contentsOfFile: certificatePath, encoding: .utf8),
                    keyPEM: try String(contentsOfFile: keyPath, encoding: .utf8))
    }
}

/// A proxy with one Gateway whose HTTPS listeners share port 8443: `a` (a.example.com,
/// certificate A, backend whoami), `org` (*.example.org, certificate A, whoami), `b`
/// (b.example.com, certificate B, nginx), `broken` (c.example.com, a Secret that looks like
/// PEM but is not).
final class TLSFixture {
    let certificates: TestCertificates
    let harness: ProxyHarness
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// - Parameter resources: the Gateway and routes on 8443 (default: the four HTTPS listeners above).
    init(resources: ResourceSet? = nil, extra: [String: [Endpoint]] = [:]) throws {
        certificates = try TestCertificates.shared()
        harness = try ProxyHarness(resources: resources ?? Self.resources(certificates), listenerPort: 8443, extra: extra)
    }

    func stop() {
        harness.stop()
        try? group.syncShutdownGracefully()
    }

    /// A `kubernetes.io/tls` Secret `default/NAME` holding the PEM pair.
    static func secret(_ name: String, _ certificate: String, _ key: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: \(name), namespace: default}
        type: kubernetes.io/tls
        data:
          tls.crt: \(Data(certificate.utf8).base64EncodedString())
          tls.key: \(Data(key.utf8).base64EncodedString())
        """
    }

    static func resources(_ certificates: TestCertificates) throws -> ResourceSet {
        func route(_ name: String, listener: String, backend: String) -> String {
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: \(name), namespace: default}
            spec:
              parentRefs: [{name: secure, sectionName: \(listener)}]
              rules:
              - backendRefs: [{name: \(backend), port: 80}]
            """
        }
        let text = [
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: gwsim}
            spec: {controllerName: gwsim.dev/proxy}
            """,
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: secure, namespace: default}
            spec:
              gatewayClassName: gwsim
              listeners:
              - {name: a, port: 8443, protocol: HTTPS, hostname: a.example.com, tls: {mode: Terminate, certificateRefs: [{name: cert-a}]}}
              - {name: org, port: 8443, protocol: HTTPS, hostname: "*.example.org", tls: {certificateRefs: [{name: cert-a}]}}
              - {name: b, port: 8443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: cert-b}]}}
              - {name: broken, port: 8443, protocol: HTTPS, hostname: c.example.com, tls: {certificateRefs: [{name: cert-broken}]}}
            """,
            secret("cert-a", certificates.a.certificatePEM, certificates.a.keyPEM),
            secret("cert-b", certificates.b.certificatePEM, certificates.b.keyPEM),
            secret("cert-broken", "-----BEGIN CERTIFICATE-----\nZm9vYmFy\n-----END CERTIFICATE-----\n",
                   "-----BEGIN PRIVATE KEY-----\nZm9vYmFy\n-----END PRIVATE KEY-----\n"),
            "apiVersion: v1\nkind: Service\nmetadata: {name: whoami, namespace: default}\nspec: {ports: [{port: 80}]}",
            "apiVersion: v1\nkind: Service\nmetadata: {name: nginx, namespace: default}\nspec: {ports: [{port: 80}]}",
            route("ra", listener: "a", backend: "whoami"),
            route("rorg", listener: "org", backend: "whoami"),
            route("rb", listener: "b", backend: "nginx"),
            route("rbroken", listener: "broken", backend: "whoami"),
        ].joined(separator: "\n---\n")
        let loaded = Loader.load(text: text, file: "tls.yaml", firstLoadOrder: 0)
        guard !loaded.hasErrors else { throw RawHTTPConnection.Failure.malformed("\(loaded.diagnostics)") }
        return loaded.resources
    }

    /// A client TLS context that trusts anything (the point is which certificate is served).
    static func clientContext(alpn: [String]) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.applicationProtocols = alpn
        return try NIOSSLContext(configuration: configuration)
    }

    /// Opens a TLS connection to the proxy with `sni`; `configure` adds the handlers after TLS.
    func connect(sni: String, alpn: [String], configure: @escaping @Sendable (any Channel) throws -> Void) throws -> any Channel {
        let context = try Self.clientContext(alpn: alpn)
        return try ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni))
                    try configure(channel)
                }
            }
            .connect(host: "127.0.0.1", port: harness.port).wait()
    }

    /// One HTTPS/1.1 GET.
    func request(sni: String, host: String, path: String = "/") throws -> TestResponse {
        let collector = ResponseCollector()
        let channel = try connect(sni: sni, alpn: ["http/1.1"]) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(collector)
        }
        defer { channel.close(promise: nil) }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: host)
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)), promise: nil)
        try channel.writeAndFlush(HTTPClientRequestPart.end(nil)).wait()
        var response = try collector.wait(on: channel.eventLoop)
        response.peer = try channel.nioSSL_peerCertificate().wait()
        return response
    }
}

/// What a test client received.
struct TestResponse: Sendable {
    var status: Int
    var version: HTTPVersion
    var headers: HTTPHeaders
    var body: String
    var peer: NIOSSLCertificate?
    func header(_ name: String) -> String? { headers[name].first }
}

/// Collects one HTTP/1-style response (also from an HTTP/2 stream via the HTTP/1 codec).
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let lock = NSLock()
    private var head: HTTPResponseHead?
    private var body = ""
    private var done: Result<TestResponse, any Error>?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lock.lock()
        defer { lock.unlock() }
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(let buffer): body += String(buffer: buffer)
        case .end:
            if let head, done == nil {
                done = .success(TestResponse(status: Int(head.status.code), version: head.version, headers: head.headers, body: body))
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lock.lock()
        if done == nil { done = .failure(error) }
        lock.unlock()
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lock.lock()
        if done == nil { done = .failure(RawHTTPConnection.Failure.closed) }
        lock.unlock()
    }

    /// The response, waiting up to `promptly` seconds.
    func wait(on eventLoop: any EventLoop) throws -> TestResponse {
        let deadline = Date().addingTimeInterval(promptly)
        while Date() < deadline {
            lock.lock()
            let result = done
            lock.unlock()
            if let result { return try result.get() }
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw RawHTTPConnection.Failure.socket("no response within \(Int(promptly)) s")
    }
}

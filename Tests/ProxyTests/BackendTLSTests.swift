import EventLog
import Foundation
import GatewayAPI
@testable import Proxy
import RoutingCore
import Testing

/// Gateway-to-backend TLS (BackendTLSPolicy) against TLS whoami backends on 127.0.0.1.
@Suite(.serialized) struct BackendTLSTests {
    /// A self-signed certificate (its own CA) for abc.example.com and a SPIFFE URI.
    static func certificate() throws -> TestCertificates.Pair {
        try retryingLaunch { try BackendTLSFixture.make(sans: ["DNS:abc.example.com", "URI:spiffe://abc.example.com/test-identity"]) }
    }

    @Test func verifiedBackendGetsTheRequestWithTheSNI() throws {
        try #require(TestCertificates.available)
        let fixture = try BackendTLSFixture()
        defer { fixture.stop() }
        let connection = try fixture.harness.connect()
        let response = try connection.request("/dns", host: "app.test", headers: [("Accept", "application/json")])
        #expect(response.status == 200)
        #expect(response.header("x-whoami-name") == "secure")
        #expect(response.header(WhoamiTLS.serverNameHeader) == "abc.example.com")
        // A URI subject alt name is accepted too.
        #expect(try connection.request("/uri", host: "app.test").status == 200)
    }

    /// Keep-alive to a TLS backend: the second request rides the first one's connection;
    /// a policy accepting other names (the URI SAN) gets a connection of its own.
    @Test func connectionsToATLSBackendAreReusedPerHandshake() throws {
        try #require(TestCertificates.available)
        let fixture = try BackendTLSFixture()
        defer { fixture.stop() }
        let connection = try fixture.harness.connect()
        for _ in 0..<3 { #expect(try connection.request("/dns", host: "app.test").status == 200) }
        #expect(fixture.backend.stats.connections == 1)
        for _ in 0..<2 { #expect(try connection.request("/uri", host: "app.test").status == 200) }
        #expect(fixture.backend.stats.connections == 2)
        #expect(fixture.backend.stats.requests == 5)
    }

    @Test func subjectAltNameMismatchIs502AndRecorded() throws {
        try #require(TestCertificates.available)
        let fixture = try BackendTLSFixture()
        defer { fixture.stop() }
        let response = try fixture.harness.connect().request("/mismatch", host: "app.test")
        #expect(response.status == 502)
        #expect(String(decoding: response.body, as: UTF8.self).contains("match none of dce.example.com"))
        #expect(fixture.backend.stats.requests == 0)
        let record = try #require(fixture.harness.sink.waitFor(1).first)
        #expect(record.observed?.status == 502)
        #expect(record.observed?.backend == "default/secure-mismatch:443")
    }

    @Test func untrustedCertificateIs502() throws {
        try #require(TestCertificates.available)
        let fixture = try BackendTLSFixture()
        defer { fixture.stop() }
        #expect(try fixture.harness.connect().request("/untrusted", host: "app.test").status == 502)
        #expect(fixture.backend.stats.requests == 0)
    }

    @Test func gatewayPresentsItsBackendClientCertificate() throws {
        try #require(TestCertificates.available)
        let client = try retryingLaunch { try BackendTLSFixture.make(sans: ["DNS:gateway.example.com"]) }
        // The backend requires a client certificate issued by `client` (self-signed).
        let withCertificate = try BackendTLSFixture(requireClient: client, presentClient: client)
        defer { withCertificate.stop() }
        #expect(try withCertificate.harness.connect().request("/dns", host: "app.test").status == 200)
        let without = try BackendTLSFixture(requireClient: client, presentClient: nil)
        defer { without.stop() }
        #expect(try without.harness.connect().request("/dns", host: "app.test").status == 502)
        #expect(without.backend.stats.requests == 0)
    }

    /// One client per handshake and world: what the pools key TLS connections by.
    @Test func aTrustHandsOutOneClientPerHandshake() throws {
        let trust = BackendTLSTrust()  // no CA references: the system roots
        let tls = BackendTLS(policy: "default/p", sni: "abc.example.com", subjectAltNames: [])
        let first = try trust.client(for: tls).get()
        #expect(try trust.client(for: tls).get() === first)
        #expect(try trust.client(for: tls, http2: true).get() !== first)
        #expect(try trust.client(for: BackendTLS(policy: "default/p", sni: "dce.example.com", subjectAltNames: [])).get() !== first)
        #expect(try BackendTLSTrust().client(for: tls).get() !== first)
    }

    @Test func wildcardAndURINameMatching() {
        #expect(BackendTLSVerifier.matches(accepted: ["abc.example.com"], presented: ["*.example.com"]))
        #expect(!BackendTLSVerifier.matches(accepted: ["a.b.example.com"], presented: ["*.example.com"]))
        #expect(!BackendTLSVerifier.matches(accepted: ["spiffe://x"], presented: ["*.example.com"]))
        #expect(BackendTLSVerifier.matches(accepted: ["spiffe://abc.example.com/test-identity"], presented: ["SPIFFE://abc.example.com/test-identity"]))
        #expect(!BackendTLSVerifier.matches(accepted: ["dce.example.com"], presented: ["abc.example.com"]))
    }
}

/// An HTTP listener whose routes go to one TLS whoami (`secure`) through four Services,
/// each with its own BackendTLSPolicy: DNS SAN, URI SAN, a mismatching SAN, an unknown CA.
final class BackendTLSFixture {
    let backend: WhoamiServer
    let harness: ProxyHarness

    /// - Parameters:
    ///   - requireClient: the backend requires a client certificate issued by this one.
    ///   - presentClient: the Gateway's `spec.tls.backend.clientCertificateRef` Secret.
    init(requireClient: TestCertificates.Pair? = nil, presentClient: TestCertificates.Pair? = nil) throws {
        let certificate = try BackendTLSTests.certificate()
        let other = try retryingLaunch { try Self.make(sans: ["DNS:abc.example.com"]) }
        backend = WhoamiServer(name: "secure", tls: try WhoamiTLS.context(certificatePEM: certificate.certificatePEM, keyPEM: certificate.keyPEM,
                                                                          clientCAPEM: requireClient?.certificatePEM))
        let address = try backend.start()
        let services = ["secure-dns", "secure-uri", "secure-mismatch", "secure-untrusted"]
        var extra: [String: [Endpoint]] = [:]
        for service in services { extra["default/\(service)"] = [address] }
        var docs = [
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gwsim}\nspec: {controllerName: gwsim.dev/proxy}",
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: default}
            spec:
              gatewayClassName: gwsim
              listeners: [{name: http, port: 8000, protocol: HTTP}]
            \(presentClient == nil ? "" : "  tls: {backend: {clientCertificateRef: {name: gateway-client}}}")
            """,
            Self.caConfigMap("ca", certificate.certificatePEM),
            Self.caConfigMap("other-ca", other.certificatePEM),
            Self.policy("secure-dns", ca: "ca", sans: "[]"),
            TLSFixture.secret("gateway-client", presentClient?.certificatePEM ?? "", presentClient?.keyPEM ?? ""),
            Self.policy("secure-uri", ca: "ca", sans: "[{type: URI, uri: \"spiffe://abc.example.com/test-identity\"}]"),
            Self.policy("secure-mismatch", ca: "ca", sans: "[{type: Hostname, hostname: dce.example.com}]"),
            Self.policy("secure-untrusted", ca: "other-ca", sans: "[]"),
        ]
        var rules = ""
        for service in services {
            docs.append("apiVersion: v1\nkind: Service\nmetadata: {name: \(service), namespace: default}\nspec: {ports: [{port: 443}]}")
            let path = service.dropFirst("secure-".count)
            rules += "  - matches: [{path: {type: PathPrefix, value: /\(path)}}]\n    backendRefs: [{name: \(service), port: 443}]\n"
        }
        docs.append("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: app, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              rules:
            \(rules)
            """)
        let loaded = Loader.load(text: docs.joined(separator: "\n---\n"), file: "backend-tls.yaml", firstLoadOrder: 0)
        guard !loaded.hasErrors else { throw RawHTTPConnection.Failure.malformed("\(loaded.diagnostics)") }
        harness = try ProxyHarness(resources: loaded.resources, listenerPort: 8000, extra: extra)
    }

    func stop() {
        harness.stop()
        backend.stop()
    }

    /// A ConfigMap holding `certificatePEM` as its `ca.crt`.
    static func caConfigMap(_ name: String, _ certificatePEM: String) -> String {
        let pem = certificatePEM.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name), namespace: default}\ndata:\n  ca.crt: |\n\(pem)"
    }

    /// A BackendTLSPolicy named after the Service it targets, with SNI abc.example.com,
    /// trusting the ConfigMap `ca`, accepting `sans` (none: the SNI).
    static func policy(_ service: String, ca: String = "ca", sans: String = "[]") -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata: {name: \(service), namespace: default}
        spec:
          targetRefs: [{group: "", kind: Service, name: \(service)}]
          validation:
            caCertificateRefs: [{group: "", kind: ConfigMap, name: \(ca)}]
            hostname: abc.example.com
            subjectAltNames: \(sans)
        """
    }

    /// A self-signed EC certificate with these subject alt names (`DNS:...`, `URI:...`).
    static func make(sans: [String]) throws -> TestCertificates.Pair {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-btls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("key.pem").path
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestCertificates.openssl)
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-subj", "/CN=gwsim backend", "-addext", "subjectAltName=" + sans.joined(separator: ","),
                             "-days", "2", "-keyout", keyPath, "-out", certificatePath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RawHTTPConnection.Failure.malformed("openssl exited \(process.terminationStatus)") }
        return TestCertificates.Pair(certificatePEM: try String(contentsOfFile: certificatePath, encoding: .utf8),
                                     keyPEM: try String(contentsOfFile: keyPath, encoding: .utf8))
    }
}

import EventLog
import Foundation
import GatewayAPI
import NIOCore
import NIOPosix
@testable import Proxy
import Replay
import RoutingCore
import Testing

/// Listeners sharing a port on the proxy's one address: an HTTPS and a TLS listener (the
/// ClientHello's SNI picks the most specific, before anything is terminated), and
/// listeners of several Gateways.
@Suite(.serialized, .timeLimit(.minutes(1)), .enabled(if: TestCertificates.available, "/usr/bin/openssl not found: TLS tests skipped"))
struct SharedPortTests {
    @Test func sniPicksBetweenTerminatingAndPassingThrough() throws {
        let certificates = try TestCertificates.shared()
        let echoContext = try WhoamiTLS.context(certificatePEM: certificates.b.certificatePEM, keyPEM: certificates.b.keyPEM)
        let echo = EchoStreamServer(name: "tls-echo", namespace: "default", tls: echoContext)
        let fixture = try TLSFixture(resources: Self.resources(certificates), extra: ["default/tls-echo": [try echo.start()]])
        defer {
            fixture.stop()
            echo.stop()
        }
        #expect(fixture.harness.proxy.boundListeners.first?.listeners == ["default/mixed/https", "default/mixed/pass"])

        // *.example.com is the only listener naming a.example.com: TLS ends at the gateway.
        let terminated = try fixture.request(sni: "a.example.com", host: "a.example.com")
        #expect(terminated.status == 200)
        #expect(terminated.header("x-whoami-name") == "whoami")
        #expect(terminated.peer == fixture.certificates.a.certificate)

        // b.example.com names the TLS listener more specifically: the backend does the handshake.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let client = try LineClient.connect(port: fixture.harness.port, sni: "b.example.com", group: group)
        #expect(client.readLine() == EchoStreamServer.welcome("tls-echo").dropLast().description)
        try client.send("TEST\n")
        #expect(client.readLine()?.contains("\"serverName\":\"b.example.com\"") == true)
        client.close()

        let records = fixture.harness.sink.waitFor(2).sorted { $0.scheme < $1.scheme }
        #expect(records.map(\.scheme) == ["https", "tls"])
        #expect(records.map { $0.observed?.route } == ["HTTPRoute/default/web", "TLSRoute/default/pass"])
        // The HTTPS request keeps its SNI, so that replay weighs the same ClientHello.
        #expect(records.map(\.sni) == ["a.example.com", "b.example.com"])
    }

    /// HTTPS requests recorded before a TLS listener is added: replay of the proxy's own
    /// log agrees with what it observed, and predicts the request the new listener takes.
    @Test func replayPredictsHTTPSRequestsMovingToANewTLSListener() throws {
        let certificates = try TestCertificates.shared()
        let before = Self.manifests(certificates, tlsListener: false)
        let fixture = try TLSFixture(resources: Self.load(before))
        defer { fixture.stop() }
        for host in ["a.example.com", "b.example.com"] {
            #expect(try fixture.request(sni: host, host: host).status == 200)
        }
        let records = fixture.harness.sink.waitFor(2)
        let path = try recordedLog(manifests: before, file: "mixed.yaml", records: records)
        defer { removeTemporaryLog(path) }
        let change = ReplayChange(objects: Loader.load(text: Self.manifests(certificates, tlsListener: true), file: "change.yaml", firstLoadOrder: 0).objects)
        let report = try Replay.run(ReplayOptions(tracePath: path, change: change, verify: true)).report
        #expect(report.verification?.disagreements == 0)
        #expect(report.requests == 2 && report.changed == 1)
    }

    /// The live proxy serves Gateways sharing a port as one: a TLS listener of another
    /// Gateway on the HTTPS port is reached by its SNI too.
    @Test func tlsListenerOfAnotherGatewayOnThePortIsReached() throws {
        let certificates = try TestCertificates.shared()
        let echoContext = try WhoamiTLS.context(certificatePEM: certificates.b.certificatePEM, keyPEM: certificates.b.keyPEM)
        let echo = EchoStreamServer(name: "tls-echo", namespace: "default", tls: echoContext)
        let fixture = try TLSFixture(resources: Self.load(Self.manifests(certificates, tlsListener: true, tlsGateway: "other")),
                                     extra: ["default/tls-echo": [try echo.start()]])
        defer {
            fixture.stop()
            echo.stop()
        }
        #expect(try fixture.request(sni: "a.example.com", host: "a.example.com").status == 200)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let client = try LineClient.connect(port: fixture.harness.port, sni: "b.example.com", group: group)
        #expect(client.readLine() == EchoStreamServer.welcome("tls-echo").dropLast().description)
        client.close()
        let records = fixture.harness.sink.waitFor(2).sorted { $0.scheme < $1.scheme }
        #expect(records.map { $0.observed?.route } == ["HTTPRoute/default/web", "TLSRoute/default/pass"])
        // Served on one address, routed by port: the record names no Gateway, so replay routes it the same way.
        #expect(records.allSatisfy { $0.gateway == nil })
    }

    /// Listeners of Gateways sharing a port that could take the same traffic: on the
    /// proxy's one address neither is served, and it says so.
    @Test func listenersLeftOutOfASharedPortAreReported() throws {
        let edge = edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"])
        let resources = try Self.load([gwsimClassYAML, edge, edge.replacingOccurrences(of: "name: edge", with: "name: second")]
            .joined(separator: "\n---\n"))
        let proxy = GatewayProxy(resources: resources, config: ProxyConfig())
        let skipped = proxy.skippedListeners.filter { $0.reason.contains("shared by Gateways default/edge, default/second") }
        #expect(skipped.map(\.listener) == ["default/edge/http", "default/second/http"], "\(proxy.skippedListeners)")
    }

    static func resources(_ certificates: TestCertificates) throws -> ResourceSet {
        try load(manifests(certificates, tlsListener: true))
    }

    static func load(_ text: String) throws -> ResourceSet {
        let loaded = Loader.load(text: text, file: "mixed.yaml", firstLoadOrder: 0)
        guard !loaded.hasErrors else { throw RawHTTPConnection.Failure.malformed("\(loaded.diagnostics)") }
        return loaded.resources
    }

    /// An HTTPS listener `*.example.com` on 8443 routed to whoami and, with `tlsListener`, a
    /// TLS passthrough listener `b.example.com` on the same port, of Gateway `tlsGateway`,
    /// routed to `tls-echo`.
    static func manifests(_ certificates: TestCertificates, tlsListener: Bool, tlsGateway: String = "mixed") -> String {
        let passListener = "{name: pass, port: 8443, protocol: TLS, hostname: b.example.com, tls: {mode: Passthrough}}"
        let otherGateway = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: other, namespace: default}
            spec:
              gatewayClassName: gwsim
              listeners:
              - \(passListener)
            """
        return ([
            gwsimClassYAML,
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: mixed, namespace: default}
            spec:
              gatewayClassName: gwsim
              listeners:
              - {name: https, port: 8443, protocol: HTTPS, hostname: "*.example.com", tls: {certificateRefs: [{name: cert-a}]}}
            """ + (tlsListener && tlsGateway == "mixed" ? "\n  - " + passListener : ""),
            TLSFixture.secret("cert-a", certificates.a.certificatePEM, certificates.a.keyPEM),
            serviceYAML("whoami"), serviceYAML("tls-echo", port: 443),
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: default}
            spec:
              parentRefs: [{name: mixed, sectionName: https}]
              rules: [{backendRefs: [{name: whoami, port: 80}]}]
            """,
        ] + (!tlsListener ? [] : (tlsGateway == "mixed" ? [] : [otherGateway]) + [
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: TLSRoute
            metadata: {name: pass, namespace: default}
            spec:
              parentRefs: [{name: \(tlsGateway), sectionName: pass}]
              hostnames: [b.example.com]
              rules: [{backendRefs: [{name: tls-echo, port: 443}]}]
            """,
        ])).joined(separator: "\n---\n")
    }
}

import EventLog
import Foundation
import GatewayAPI
@testable import Proxy
import Testing

/// gRPC to a backend behind a BackendTLSPolicy: HTTP/2 over TLS, agreed by ALPN (`h2`),
/// on one connection shared by the calls; a backend that does not select `h2` gets no
/// request and the call a 502 that says why.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct BackendTLSHTTP2Tests {
    final class Fixture {
        let h2: WhoamiServer
        let h1Only: WhoamiServer
        let sink = RecordSink()
        let proxy: GatewayProxy
        let port: Int

        init() throws {
            let certificate = try BackendTLSTests.certificate()
            h2 = WhoamiServer(name: "h2", tls: try WhoamiTLS.context(certificatePEM: certificate.certificatePEM, keyPEM: certificate.keyPEM))
            h1Only = WhoamiServer(name: "h1", tls: try TLSCertificates.context(certificatePEM: certificate.certificatePEM,
                                                                             keyPEM: certificate.keyPEM, alpn: ["http/1.1"]))
            let manifests = yamlStream(
                gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]),
                BackendTLSFixture.caConfigMap("ca", certificate.certificatePEM),
                serviceYAML("h2", port: 443), serviceYAML("h1", port: 443), BackendTLSFixture.policy("h2"), BackendTLSFixture.policy("h1"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: grpc, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [grpc.test]
                  rules:
                  - matches: [{method: {service: pkg.Secure}}]
                    backendRefs: [{name: h2, port: 443}]
                  - matches: [{method: {service: pkg.Legacy}}]
                    backendRefs: [{name: h1, port: 443}]
                """)
            let loaded = Loader.load(text: manifests, file: "grpc-tls.yaml")
            guard !loaded.hasErrors else { throw RawHTTPConnection.Failure.malformed("\(loaded.diagnostics)") }
            let overrides = ["default/h2": [try h2.start()], "default/h1": [try h1Only.start()]]
            let config = ProxyConfig(portMap: [8080: 0], backendOverrides: overrides, eventLoopThreads: 1,
                                     upstreamConnectTimeout: .seconds(1), drainTimeout: .seconds(2))
            let sink = self.sink
            proxy = GatewayProxy(resources: loaded.resources, config: config) { record, _ in sink.append(record) }
            port = try proxy.start()[0].address.port
        }

        func client() throws -> H2CClient { try H2CClient(host: "127.0.0.1", port: port) }

        func stop() {
            proxy.stop()
            h2.stop()
            h1Only.stop()
        }
    }

    @Test func grpcCallsReachATLSBackendOverH2OnOneConnection() throws {
        try #require(TestCertificates.available)
        let fixture = try Fixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }
        for message in ["one", "two"] {
            let call = try client.send(method: "POST", path: "/pkg.Secure/Echo", authority: "grpc.test", headers: GRPCProxyTests.grpcHeaders,
                                       body: GRPCFraming.frame(Array(message.utf8)))
            #expect(call.status == 200)
            #expect(call.grpcStatus == 0)
            #expect(call.header("x-whoami-name") == "h2")
            #expect(call.header(WhoamiTLS.serverNameHeader) == "abc.example.com")
            #expect(try GRPCProxyTests.echo(call)["path"] as? String == "/pkg.Secure/Echo")
        }
        #expect(fixture.h2.stats.connections == 1)
        #expect(fixture.h2.stats.requests == 2)
    }

    @Test func aTLSBackendThatDoesNotSelectH2Gets502AndNoCall() throws {
        try #require(TestCertificates.available)
        let fixture = try Fixture()
        defer { fixture.stop() }
        let client = try fixture.client()
        defer { client.close() }
        let call = try client.send(method: "POST", path: "/pkg.Legacy/Echo", authority: "grpc.test", headers: GRPCProxyTests.grpcHeaders,
                                   body: GRPCFraming.frame([]))
        #expect(call.status == 502)
        #expect(String(decoding: call.body, as: UTF8.self).contains("did not select h2"))
        #expect(fixture.h1Only.stats.requests == 0)
        let record = try #require(fixture.sink.waitFor(1).first)
        #expect(record.observed?.status == 502)
    }
}

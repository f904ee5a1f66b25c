import GatewayAPI
import RoutingCore
import Testing

/// HTTPS and TLS listeners sharing a port: a ClientHello's SNI picks the listener
/// that names it most specifically, of either protocol, before any HTTP is read
/// (RoutingTable.tlsFamilyListener).
@Suite struct MixedTLSPortTests {
    typealias F = Fixture

    static let table = F.table([
        StatusTests.secret(in: "infra"), F.service("pass", port: 443), F.service("open", port: 443),
        F.httpRoute("web", parent: "{name: gw, namespace: infra, sectionName: https}", rules: "[\(rule(to: "one"))]"),
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: TLSRoute
        metadata: {name: pass, namespace: default}
        spec:
          parentRefs: [{name: gw, namespace: infra, sectionName: pass}]
          hostnames: [b.example.com]
          rules: [{backendRefs: [{name: pass, port: 443}]}]
        """,
    ], gateway: F.gateway(listeners: [
        "{name: https, port: 443, protocol: HTTPS, hostname: '*.example.com', tls: {certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}",
        "{name: pass, port: 443, protocol: TLS, hostname: b.example.com, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}",
    ]))

    static func https(_ host: String, path: String = "/x", sni: String?) -> RouteRequest {
        RouteRequest(port: 443, scheme: "https", host: host, path: path, sni: sni)
    }

    @Test func moreSpecificTLSListenerTakesTheHTTPSRequest() {
        let decision = Self.table.route(Self.https("b.example.com", sni: "b.example.com"), key: "k")
        #expect(decision.listener?.name == "pass")
        #expect(decision.route?.kind == "TLSRoute" && decision.backendName == "pass")
        // Passed through: the backend gets the request as the client sent it.
        #expect(decision.request.path == "/x" && decision.request.host == "b.example.com")
    }

    @Test func otherNamesStayWithTheHTTPSListener() {
        let decision = Self.table.route(Self.https("a.example.com", sni: "a.example.com"), key: "k")
        #expect(decision.listener?.name == "https" && decision.route?.kind == "HTTPRoute" && decision.backendName == "one")
        // A client that sent no SNI ("") reached an HTTPS listener (no TLS one is without hostname):
        // its Host then picks among the HTTPS listeners.
        let noSNI = Self.table.route(Self.https("b.example.com", sni: ""), key: "k")
        #expect(noSNI.listener?.name == "https" && noSNI.route?.kind == "HTTPRoute")
        // An SNI not known (nil) is taken to be the Host, as a client connecting by name sends.
        let unknown = Self.table.route(Self.https("b.example.com", sni: nil), key: "k")
        #expect(unknown.listener?.name == "pass" && unknown.route?.kind == "TLSRoute")
    }

    @Test func hostATLSListenerWouldTakeIsMisdirectedOnAnHTTPSConnection() {
        // HTTP/2 coalescing: a connection made for a.example.com reused for b.example.com.
        let decision = Self.table.route(Self.https("b.example.com", sni: "a.example.com"), key: "k")
        #expect(decision.status == 421 && decision.listener?.name == "https")
        #expect(decision.reason?.contains("belongs to TLS listener pass") == true)
    }

    @Test func tlsConnectionTakenByTheHTTPSListenerIsRefusedNamingIt() {
        let passed = Self.table.routeConnection(ConnectionRequest(port: 443, protocol: .tls, sni: "b.example.com"), key: "k")
        #expect(passed.listener?.name == "pass" && passed.backendName == "pass")
        let terminated = Self.table.routeConnection(ConnectionRequest(port: 443, protocol: .tls, sni: "a.example.com"), key: "k")
        #expect(terminated.backendName == nil && terminated.listener?.name == "https")
        #expect(terminated.reason?.contains("HTTPS listener https on port 443 takes a.example.com") == true)
        #expect(Self.table.tlsListenerTakes(gateway: nil, port: 443, sni: "B.example.com"))
        #expect(!Self.table.tlsListenerTakes(gateway: nil, port: 443, sni: "a.example.com"))
        #expect(!Self.table.tlsListenerTakes(gateway: nil, port: 443, sni: nil))
    }

    @Test func inPlaceVerdictsAgreeWithTheObjectPath() {
        for (host, sni) in [("b.example.com", "b.example.com"), ("a.example.com", "a.example.com"), ("b.example.com", nil),
                            ("b.example.com", ""), ("a.example.com", "b.example.com"), ("b.example.com", "a.example.com")] as [(String, String?)] {
            let request = Self.https(host, sni: sni)
            #expect(FlatIndexTests.borrowedVerdict(Self.table, request, key: "k") == Self.table.verdict(request, key: "k"), "\(host) \(sni ?? "-")")
            #expect(Self.table.decision(for: Self.table.verdict(request, key: "k"), request: request, key: "k") == Self.table.route(request, key: "k"))
        }
    }
}

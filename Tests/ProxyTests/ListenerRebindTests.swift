import EventLog
import Foundation
import GatewayAPI
import Proxy
import Testing

/// Listener ports follow changes applied through the admin control plane.
@Suite(.serialized) struct ListenerRebindTests {
    static func gateway(ports: [Int]) -> String {
        edgeGatewayYAML(listeners: ports.map { "{name: http-\($0), port: \($0), protocol: HTTP}" })
    }

    static let base = yamlStream(gwsimClassYAML, serviceYAML("whoami"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: app, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          rules: [{backendRefs: [{name: whoami, port: 80}]}]
        """)

    @Test func aListenerAddedByAnApplyIsBoundAndARemovedOneClosed() throws {
        let whoami = WhoamiServer(name: "whoami")
        let address = try whoami.start()
        defer { whoami.stop() }
        let loaded = Loader.load(text: yamlStream(Self.base, Self.gateway(ports: [9000])), file: "base.yaml", firstLoadOrder: 0)
        #expect(!loaded.hasErrors)
        var resources = ResourceSet()
        for object in loaded.objects { resources.apply(object.resource) }
        let config = ProxyConfig(portMap: [9000: 0, 9100: 0], backendOverrides: ["default/whoami": [address]], drainTimeout: .seconds(1))
        let proxy = GatewayProxy(resources: resources, config: config)
        try proxy.start()
        defer { proxy.stop() }
        #expect(proxy.boundListeners.map(\.listenerPort) == [9000])
        let control = AdminControlPlane(proxy: proxy, objects: loaded.objects, recorder: AdminRecorder(), config: config)

        let added = control.apply(yaml: Self.gateway(ports: [9000, 9100]))
        #expect(added.status == 200)
        #expect(proxy.boundListeners.map(\.listenerPort) == [9000, 9100])
        let newPort = try #require(proxy.boundListeners.first { $0.listenerPort == 9100 }).address.port
        let response = try RawHTTPConnection(port: newPort).request("/", host: "app.test")
        #expect(response.status == 200)
        #expect(response.header("x-whoami-name") == "whoami")

        #expect(control.apply(yaml: Self.gateway(ports: [9000])).status == 200)
        #expect(proxy.boundListeners.map(\.listenerPort) == [9000])
        #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: newPort).request("/", host: "app.test") }
    }

    /// A change that leaves listeners unserved says so in the admin answer, as the proxy does at start.
    @Test func anApplyThatLeavesListenersOutWarns() throws {
        let loaded = Loader.load(text: yamlStream(Self.base, Self.gateway(ports: [9000])), file: "base.yaml", firstLoadOrder: 0)
        var resources = ResourceSet()
        for object in loaded.objects { resources.apply(object.resource) }
        let config = ProxyConfig(portMap: [9000: 0], drainTimeout: .seconds(1))
        let proxy = GatewayProxy(resources: resources, config: config)
        try proxy.start()
        defer { proxy.stop() }
        let control = AdminControlPlane(proxy: proxy, objects: loaded.objects, recorder: AdminRecorder(), config: config)
        let second = Self.gateway(ports: [9000]).replacingOccurrences(of: "name: edge", with: "name: second")
        let answer = control.apply(yaml: second)
        #expect(answer.status == 200)
        #expect(answer.body.contains("default/edge/http-9000: port 9000 is shared by Gateways default/edge, default/second"), "\(answer.body)")
        let removed = control.delete(ObjectKey(kind: "Gateway", namespace: "default", name: "second"))
        #expect(removed.body.contains("\"warnings\": []") || removed.body.contains("\"warnings\":[]"), "\(removed.body)")
    }
}

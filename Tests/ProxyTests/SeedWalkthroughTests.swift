import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// The seed article, live: whoami and nginx behind the proxy, the route changed twice.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SeedWalkthroughTests {
    @Test func hostWhoamiReachesWhoamiWithForwardedHeaders() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        let response = try harness.connect().request("/", host: "whoami")
        #expect(response.status == 200)
        let text = response.text
        #expect(text.hasPrefix("Hostname: whoami\n"))
        #expect(text.contains("GET / HTTP/1.1"))
        #expect(text.contains("Host: whoami"))
        #expect(text.contains("X-Forwarded-For: 127.0.0.1"))
        #expect(text.contains("X-Forwarded-Host: whoami"))
        #expect(text.contains("X-Forwarded-Port: 8000"))
        #expect(text.contains("X-Forwarded-Proto: http"))
        #expect(response.header("x-request-id") != nil)
        #expect(text.contains("X-Request-Id: \(response.header("x-request-id") ?? "?")"))
    }

    @Test func jsonEcho() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        let response = try harness.connect().request("/", host: "whoami", headers: [("Accept", "application/json"), ("X-Twice", "a"), ("x-twice", "b")])
        #expect(response.header("content-type") == "application/json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["name"] as? String == "whoami")
        #expect(object?["path"] as? String == "/")
        let headers = object?["headers"] as? [String: String]
        #expect(headers?["x-twice"] == "a, b")
        #expect(headers?["x-forwarded-proto"] == "http")
    }

    @Test func swappingInTheExactFooRoute() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        let connection = try harness.connect()
        #expect(try connection.request("/", host: "whoami").status == 200)
        harness.proxy.swap(resources: seedResources("03-whoami-httproute-paths.yaml"))
        let root = try connection.request("/", host: "whoami")  // same keep-alive connection
        #expect(root.status == 404)
        #expect(root.text == "no route\n")
        let foo = try connection.request("/foo", host: "whoami")
        #expect(foo.status == 200)
        #expect(foo.text.hasPrefix("Hostname: whoami\n"))
    }

    @Test func canarySendsAQuarterToNginx() throws {
        let harness = try ProxyHarness(resources: seedResources("04-whoami-nginx-canary.yaml"))
        defer { harness.stop() }
        let connection = try harness.connect()
        var counts: [String: Int] = [:]
        for _ in 0..<2_000 {
            let response = try connection.request("/", host: "whoami")
            #expect(response.status == 200)
            counts[response.header("x-whoami-name") ?? "?", default: 0] += 1
        }
        let nginx = counts["nginx", default: 0]
        #expect((440...560).contains(nginx), "nginx got \(nginx) of 2000: \(counts)")
        #expect(counts["whoami", default: 0] + nginx == 2_000)
        let ids = Set(harness.sink.waitFor(2_000).map(\.id))
        #expect(ids.count == 2_000, "request ids must be distinct")
    }
}

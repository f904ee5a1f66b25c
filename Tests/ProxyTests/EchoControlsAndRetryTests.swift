import Foundation
import GatewayAPI
import NIOCore
import NIOHTTP1
@testable import Proxy
import Testing

/// The conformance echo controls of `gwsim whoami` (`WhoamiEchoControls`) and the proxy's
/// HTTPRoute retry (`RetryPolicy`), alone and through a live proxy.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct EchoControlsAndRetryTests {
    static func head(_ uri: String, headers: [(String, String)] = []) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: HTTPHeaders(headers))
    }

    @Test func echoControlsParse() {
        let controls = WhoamiEchoControls(head: Self.head("/retry/x?responseCode=503&succeedAfter=2&uuid=a%2Fb&delay=1s500ms",
                                                          headers: [("X-Echo-Set-Header", "X-Header-Set: set-overwrites-values, X-Other:v:w")]))
        #expect(controls.setHeaders.map { "\($0.name)=\($0.value)" } == ["X-Header-Set=set-overwrites-values", "X-Other=v:w"])
        #expect(controls.delaySeconds == 1.5)
        #expect(controls.responseCode == 503 && controls.succeedAfter == 2 && controls.uuid == "a/b")
        #expect(controls.status(previousAttempts: 0) == 503)
        #expect(controls.status(previousAttempts: 1) == 503)
        #expect(controls.status(previousAttempts: 2) == nil)
        let plain = WhoamiEchoControls(head: Self.head("/?responseCode=999&delay=soon"))
        #expect(plain.responseCode == nil && plain.delaySeconds == nil && plain.attemptKey == nil && plain.setHeaders.isEmpty)
        #expect(WhoamiEchoControls(head: Self.head("/?responseCode=500")).status(previousAttempts: 7) == 500)
    }

    @Test func retryPolicyBudgetAndBackoff() throws {
        #expect(RetryPolicy(nil) == nil)
        #expect(RetryPolicy(HTTPRouteRetry(codes: [], attempts: 3)) == nil)
        let policy = try #require(RetryPolicy(HTTPRouteRetry(codes: [500, 502], attempts: 2, backoff: 0.1)))
        #expect(policy.shouldRetry(status: 500, retriesDone: 0))
        #expect(policy.shouldRetry(status: 502, retriesDone: 1))
        #expect(!policy.shouldRetry(status: 502, retriesDone: 2))
        #expect(!policy.shouldRetry(status: 503, retriesDone: 0))
        #expect(policy.delay(retriesDone: 0) == .milliseconds(100))
        #expect(policy.delay(retriesDone: 1) == .milliseconds(200))
        #expect(policy.delay(retriesDone: 10) == RetryPolicy.maximumBackoff)
        // Never below the configured minimum, even above the cap.
        let slow = try #require(RetryPolicy(HTTPRouteRetry(codes: [500], attempts: 1, backoff: 3)))
        #expect(slow.delay(retriesDone: 5) == .seconds(3))
    }

    static let manifests = yamlStream(
        gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]), serviceYAML("whoami"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: retries, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /retry}}]
            retry: {codes: [500], attempts: 2, backoff: 10ms}
            backendRefs: [{name: whoami, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /timeout}}]
            timeouts: {request: 200ms}
            backendRefs: [{name: whoami, port: 80}]
          - backendRefs: [{name: whoami, port: 80}]
        """)

    static func harness() throws -> ProxyHarness {
        let loaded = Loader.load(text: manifests, file: "retry.yaml", firstLoadOrder: 0)
        precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
        return try ProxyHarness(resources: loaded.resources, listenerPort: 8080)
    }

    @Test func proxyRetriesListedCodesWithinAttempts() throws {
        let harness = try Self.harness()
        defer { harness.stop() }
        // Fails twice, then recovers: two retries are within the budget.
        var before = harness.whoami.stats.requests
        let recovered = try harness.connect().request("/retry/a?responseCode=500&succeedAfter=2&uuid=one", host: "x.test")
        #expect(recovered.status == 200)
        #expect(harness.whoami.stats.requests - before == 3)
        // Fails three times: the budget (2 retries) is spent, the backend's 500 is relayed.
        before = harness.whoami.stats.requests
        let spent = try harness.connect().request("/retry/a?responseCode=500&succeedAfter=3&uuid=two", host: "x.test")
        #expect(spent.status == 500)
        #expect(harness.whoami.stats.requests - before == 3)
        // A code not listed is not retried.
        before = harness.whoami.stats.requests
        let unlisted = try harness.connect().request("/retry/a?responseCode=503&succeedAfter=1&uuid=three", host: "x.test")
        #expect(unlisted.status == 503)
        #expect(harness.whoami.stats.requests - before == 1)
        // No retry policy on the rule: the first answer stands.
        let noPolicy = try harness.connect().request("/other?responseCode=500&succeedAfter=1&uuid=four", host: "x.test")
        #expect(noPolicy.status == 500)
    }

    /// A valid WebSocket upgrade through the proxy reaches whoami, which echoes messages.
    @Test func whoamiEchoesWebSocketMessages() throws {
        let harness = try Self.harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /ws HTTP/1.1\r\nHost: x.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let head = try connection.readHead()
        #expect(head.hasPrefix("HTTP/1.1 101"))
        #expect(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))  // RFC 6455 section 1.3's sample accept value
        let mask: [UInt8] = [1, 2, 3, 4]
        for (opcode, payload) in [(UInt8(1), Array("Websocket Support!".utf8)), (UInt8(2), [1, 2, 3, 4, 5, 6, 7])] {
            try connection.send([0x80 | opcode, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
            let frameHead = try connection.readBytes(2)
            #expect(frameHead == [0x80 | opcode, UInt8(payload.count)])  // final, unmasked, same length
            #expect(try connection.readBytes(payload.count) == payload)
        }
    }

    @Test func echoSetsHeadersAndDelays() throws {
        let harness = try Self.harness()
        defer { harness.stop() }
        let withHeaders = try harness.connect().request("/", host: "x.test", headers: [("X-Echo-Set-Header", "X-One:1,X-Two:two")])
        #expect(withHeaders.status == 200)
        #expect(withHeaders.header("x-one") == "1" && withHeaders.header("x-two") == "two")
        let started = Date()
        let delayed = try harness.connect().request("/?delay=300ms", host: "x.test")
        #expect(delayed.status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.29)
        // The route's request timeout (200ms) ends the exchange before the delayed answer.
        let timedOut = try harness.connect().request("/timeout?delay=1s", host: "x.test")
        #expect(timedOut.status == 504)
    }
}

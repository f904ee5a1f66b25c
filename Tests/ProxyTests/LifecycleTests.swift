import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing

/// Pooling, back-pressure, draining: the properties that only show on real sockets.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct LifecycleTests {
    @Test func keepAliveConnectionsToBackendsArePooled() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        defer { harness.stop() }
        for _ in 0..<5 {
            let connection = try harness.connect()  // a new client connection each time
            for _ in 0..<20 { #expect(try connection.request("/", host: "whoami").status == 200) }
        }
        // 2 event loops: at most one upstream connection per loop for sequential requests.
        #expect(harness.whoami.stats.connections <= 2, "\(harness.whoami.stats.connections) upstream connections for 100 requests")
    }

    @Test func slowClientHoldsBackTheBackend() throws {
        let harness = try ProxyHarness(resources: edgeResources(), listenerPort: 8080)
        defer { harness.stop() }
        let size = 256 * 1024 * 1024
        let connection = try harness.connect()
        try connection.send("GET /data?size=\(size) HTTP/1.1\r\nHost: app.test\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.5)
        let streamed = harness.whoami.stats.streamedBytes
        // Only socket buffers sit between the backend and a client that reads nothing.
        #expect(streamed < 64 * 1024 * 1024, "backend wrote \(streamed) bytes to a client that read none")
        let response = try connection.readResponse()
        #expect(response.body.count == size)
    }

    @Test func stopDrainsAnInFlightRequest() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        let connection = try harness.connect()
        try connection.send("POST / HTTP/1.1\r\nHost: whoami\r\nContent-Length: 10\r\n\r\n12345")
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = DispatchSemaphore(value: 0)
        let proxy = harness.proxy
        Thread { proxy.stop(); stopped.signal() }.start()
        Thread.sleep(forTimeInterval: 0.2)
        #expect(proxy.stats.inFlight == 1)
        try connection.send("67890")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("x-whoami-body-bytes") == "10")
        #expect(response.header("connection") == nil || response.header("connection") == "close")
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(throws: (any Error).self) { try RawHTTPConnection(port: harness.port) }
        harness.stop()
    }

    @Test func stopGivesUpOnAHungRequestAfterTheDrainTimeout() throws {
        let harness = try ProxyHarness(resources: seedResources("02-whoami-httproute.yaml"))
        let connection = try harness.connect()
        try connection.send("POST / HTTP/1.1\r\nHost: whoami\r\nContent-Length: 10\r\n\r\n12345")  // never finished
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        harness.stop()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.9 && elapsed < 4, "stop took \(elapsed) s with a 2 s drain timeout")
        #expect(connection.isClosedByPeer())
    }

    @Test func refusedBackendDoesNotStallAnUpload() throws {
        let harness = try ProxyHarness(resources: edgeResources(), listenerPort: 8080,
                                       extra: ["default/refused": [Endpoint(host: "127.0.0.1", port: refusedPort())]])
        defer { harness.stop() }
        let connection = try harness.connect()
        let response = try connection.request("/refused", method: "POST", host: "app.test", body: [UInt8](repeating: 7, count: 4 * 1024 * 1024))
        #expect(response.status == 503)
        #expect(try connection.request("/", host: "app.test").status == 200)
        #expect(harness.sink.waitFor(1).first?.observed?.bytesIn == 4 * 1024 * 1024)
    }
}

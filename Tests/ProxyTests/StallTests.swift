import Foundation
import NIOCore
import GatewayAPI
import Proxy
import RoutingCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Exchanges whose bytes stop moving (`Exchange.stall`): on a rule without timeouts the
/// client connection's idle timeout ends them; a rule's own timeouts, even disabled ones,
/// take precedence. The idle timeout is 300 ms here, the backend answers late or never.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct StallTests {
    static let manifests = yamlStream(
        gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]), serviceYAML("late"), """
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: late, namespace: default}
    spec:
      parentRefs: [{name: edge}]
      hostnames: [late.test]
      rules:
      - matches: [{path: {type: PathPrefix, value: /patient}}]
        timeouts: {request: 0s}
        backendRefs: [{name: late, port: 80}]
      - backendRefs: [{name: late, port: 80}]
    """)

    static let idleTimeout = TimeAmount.milliseconds(300)

    func harness(backend: (fd: Int32, port: Int), bytePath: Bool = true) throws -> ProxyHarness {
        let loaded = Loader.load(text: Self.manifests, file: "stall.yaml", firstLoadOrder: 0)
        precondition(!loaded.hasErrors, "\(loaded.diagnostics)")
        return try ProxyHarness(resources: loaded.resources, listenerPort: 8080,
                                extra: ["default/late": [Endpoint(host: "127.0.0.1", port: backend.port)]]) {
            $0.clientIdleTimeout = Self.idleTimeout
            $0.bytePath = bytePath
        }
    }

    /// A backend that reads each connection's request and answers it after `delay`
    /// seconds (200, "late"), or never when `delay` is nil; it stops when `fd` is closed.
    static func lateBackend(after delay: Double?) -> (fd: Int32, port: Int) {
        let listener = silentListener()
        Thread {
            while true {
                let connection = accept(listener.fd, nil, nil)
                guard connection >= 0 else { return }
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(connection, &buffer, buffer.count)
                    if let delay {
                        Thread.sleep(forTimeInterval: delay)
                        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate".utf8)
                        _ = write(connection, answer, answer.count)
                    }
                    Thread.sleep(forTimeInterval: 3)
                    close(connection)
                }.start()
            }
        }.start()
        return listener
    }

    @Test(arguments: [false, true])
    func aBackendThatNeverAnswersGets504AfterTheIdleTimeout(bytePath: Bool) throws {
        let backend = Self.lateBackend(after: nil)
        defer { shutdown(backend.fd, Int32(SHUT_RDWR)); close(backend.fd) }
        let harness = try harness(backend: backend, bytePath: bytePath)
        defer { harness.stop() }
        let connection = try harness.connect()
        let started = Date()
        let response = try connection.request("/", host: "late.test")
        #expect(response.status == 504)
        #expect(response.text == "backend timeout\n")
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(connection.isClosedByPeer())
        #expect(harness.sink.waitFor(1).map(\.observed?.status) == [504])
    }

    /// A rule that disables its timeouts (`request: 0s`) waits for as long as the backend
    /// takes: here past three idle timeouts, which end the same wait on the other rule.
    @Test(arguments: [false, true])
    func aRuleThatDisablesItsTimeoutsWaitsPastTheIdleTimeout(bytePath: Bool) throws {
        let backend = Self.lateBackend(after: 1)
        defer { shutdown(backend.fd, Int32(SHUT_RDWR)); close(backend.fd) }
        let harness = try harness(backend: backend, bytePath: bytePath)
        defer { harness.stop() }
        let patient = try harness.connect().request("/patient", host: "late.test")
        #expect(patient.status == 200 && patient.text == "late")
        #expect(try harness.connect().request("/", host: "late.test").status == 504)
    }

    /// Over HTTP/2 (h2c) each stream is held to the idle timeout on its own: a stalled one
    /// gets its 504 on the stream, and the connection stays open, also while a stream on a
    /// rule without limits waits longer than the connection's idle timeout.
    @Test func anHTTP2StreamIsHeldToTheIdleTimeoutOnItsOwn() throws {
        let backend = Self.lateBackend(after: 1)
        defer { shutdown(backend.fd, Int32(SHUT_RDWR)); close(backend.fd) }
        let harness = try harness(backend: backend)
        defer { harness.stop() }
        let client = try H2CClient(host: "127.0.0.1", port: harness.port)
        defer { client.close() }
        let stalled = try client.send(path: "/", authority: "late.test")
        #expect(stalled.status == 504)
        #expect(String(decoding: stalled.body, as: UTF8.self) == "backend timeout\n")
        let patient = try client.send(path: "/patient", authority: "late.test")
        #expect(patient.status == 200 && String(decoding: patient.body, as: UTF8.self) == "late")
    }

    /// A client that stops in the middle of its body gets 408 (the backend has its head and
    /// part of the body, and no answer yet), then the connection closes.
    @Test func aClientThatStopsSendingItsBodyGets408() throws {
        let backend = Self.lateBackend(after: nil)
        defer { shutdown(backend.fd, Int32(SHUT_RDWR)); close(backend.fd) }
        let harness = try harness(backend: backend)
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("POST / HTTP/1.1\r\nHost: late.test\r\nContent-Length: 10\r\n\r\nabc")
        let response = try connection.readResponse()
        #expect(response.status == 408)
        #expect(connection.isClosedByPeer())
    }

    /// The gateway answered (404) while the body was still coming; a client that then stops
    /// sending it no longer holds the connection.
    @Test func aBodyLeftUnfinishedAfterALocalAnswerClosesTheConnection() throws {
        let backend = Self.lateBackend(after: nil)
        defer { shutdown(backend.fd, Int32(SHUT_RDWR)); close(backend.fd) }
        let harness = try harness(backend: backend)
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("POST / HTTP/1.1\r\nHost: nobody.test\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try connection.readResponse().status == 404)
        #expect(connection.isClosedByPeer())
    }
}

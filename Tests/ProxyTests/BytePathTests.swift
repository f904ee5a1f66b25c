import EventLog
import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The byte path (`FastPathHandler`) live on loopback: it hands a connection to the full
/// pipeline at the first request it does not serve, answers pipelined requests in order,
/// passes every response framing through, and records what the full pipeline records.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct BytePathTests {
    func edgeHarness(extra: [String: [Endpoint]] = [:], configure: (inout ProxyConfig) -> Void = { _ in }) throws -> ProxyHarness {
        try ProxyHarness(resources: edgeResources(), listenerPort: 8080, extra: extra, configure: configure)
    }

    @Test func aBodyHandsTheConnectionToTheFullPipelineMidway() throws {
        let harness = try edgeHarness()
        defer { harness.stop() }
        let connection = try harness.connect()
        #expect(try connection.request("/first", host: "app.test").status == 200)
        let posted = try connection.request("/second", method: "POST", host: "app.test", body: Array("twelve bytes".utf8))
        #expect(posted.status == 200 && posted.header("x-whoami-body-bytes") == "12")
        #expect(try connection.request("/third", host: "app.test").status == 200)
        let records = harness.sink.waitFor(3)
        #expect(records.map(\.path) == ["/first", "/second", "/third"])
        #expect(records.map { $0.observed?.status } == [200, 200, 200])
        #expect(records.map { $0.observed?.bytesIn } == [0, 12, 0])
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAcrossTheHandOver() throws {
        let harness = try edgeHarness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /a HTTP/1.1\r\nHost: app.test\r\n\r\nGET /b HTTP/1.1\r\nHost: app.test\r\n\r\n"
            + "POST /c HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabcGET /d HTTP/1.1\r\nHost: app.test\r\n\r\n")
        for path in ["/a", "/b", "/c", "/d"] {
            let response = try connection.readResponse()
            #expect(response.status == 200 && response.text.contains(" \(path) HTTP/1.1"), "\(path): \(response.text)")
        }
    }

    /// RFC 9112 §9.6: a request with `Connection: close` is the last answered, on either
    /// path, and the ones pipelined before it are answered too.
    @Test func pipelinedRequestsUpToACloseAreAnswered() throws {
        for bytePath in [true, false] {
            let harness = try edgeHarness { $0.bytePath = bytePath }
            defer { harness.stop() }
            let connection = try harness.connect()
            try connection.send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: app.test\r\n\r\n")
            let first = try connection.readResponse()
            let second = try connection.readResponse()
            #expect(first.text.contains(" /1 HTTP/1.1") && first.header("connection") == nil, "byte path \(bytePath)")
            #expect(second.text.contains(" /2 HTTP/1.1") && second.header("connection") == "close", "byte path \(bytePath)")
            #expect(connection.isClosedByPeer(), "byte path \(bytePath)")
        }
    }

    /// Each path serves the same requests; their records agree but for ids, times and ports.
    @Test func bothPathsRecordTheSame() throws {
        func records(bytePath: Bool) throws -> [String] {
            let harness = try edgeHarness { $0.bytePath = bytePath }
            defer { harness.stop() }
            let connection = try harness.connect()
            _ = try connection.request("/", host: "app.test", headers: [("X-Request-Id", "r1"), ("Connection", "keep-alive, x-hop"),
                                                                       ("X-Hop", "dropped")])
            _ = try connection.request("/", method: "HEAD", host: "app.test", headers: [("X-Request-Id", "r2")])
            _ = try connection.request("/", host: "nobody", headers: [("X-Request-Id", "r3")])
            _ = try connection.request("/", method: "DELETE", host: "app.test", headers: [("X-Request-Id", "r4")])
            _ = try connection.request("/x?y=1", host: "redirect.test", headers: [("X-Request-Id", "r5")])
            return harness.sink.waitFor(5).map { record in
                let observed = record.observed
                return [record.id, record.method, record.host, record.path, "\(record.headers.map { "\($0.name)=\($0.value)" })",
                        "\(observed?.status ?? 0)", observed?.route ?? "-", observed?.backend ?? "-",
                        "\(observed?.bytesIn ?? -1)", "\(observed?.bytesOut ?? -1)"].joined(separator: " ")
            }
        }
        let full = try records(bytePath: false)
        #expect(full.count == 5)
        #expect(try records(bytePath: true) == full)
    }

    /// Requests on a route without filters take the plain path (`PlainRequestHead`): the
    /// backend sees and the record says what the full pipeline gives it, ids and ports aside.
    @Test func plainRequestsReachTheBackendAsOnTheFullPipeline() throws {
        func exchanges(bytePath: Bool) throws -> [String] {
            let harness = try ProxyHarness(resources: seedResources("03-whoami-httproute-paths.yaml")) { $0.bytePath = bytePath }
            defer { harness.stop() }
            let connection = try harness.connect()
            var seen: [String] = []
            for (method, path, headers) in [("GET", "/foo", [("Accept", "*/*")]), ("HEAD", "/foo", []), ("GET", "/foo?q=1", [("User-Agent", "t")]),
                                            ("GET", "/", [])] {
                let response = try connection.request(path, method: method, host: "whoami", headers: headers)
                // The echo, but for the lines that name this connection or this request's generated id.
                let echo = response.text.split(separator: "\n").filter { !$0.hasPrefix("RemoteAddr") && !$0.hasPrefix("X-Request-Id") }
                seen.append("\(response.status) \(response.header("content-length") ?? "-") \(echo)")
            }
            for record in harness.sink.waitFor(4) {
                let observed = record.observed
                seen.append([record.method, record.host, record.path, "\(record.headers.map { "\($0.name)=\($0.value)" })",
                             "\(observed?.status ?? 0)", observed?.route ?? "-", observed?.backend ?? "-", "\(observed?.bytesOut ?? -1)"]
                    .joined(separator: " "))
            }
            return seen
        }
        let full = try exchanges(bytePath: false)
        #expect(full.count == 8 && full[0].hasPrefix("200"))
        #expect(try exchanges(bytePath: true) == full)
    }

    /// A chunked answer reaches the client as sent; the record counts its data, not its framing.
    @Test func aChunkedAnswerPassesThroughWithItsTrailers() throws {
        let listener = EdgeCaseTests.scriptedBackend(answering: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                         + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        defer { close(listener.fd) }
        let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        let response = try connection.request("/slow", host: "app.test")
        #expect(response.status == 200 && response.text == "hello world")
        #expect(response.header("transfer-encoding") == "chunked")
        #expect(harness.sink.waitFor(1).first?.observed?.bytesOut == 11)
        // The connection is still good for the next request.
        #expect(try connection.request("/", host: "app.test").status == 200)
    }

    /// A body delimited by the backend's close (RFC 9112 §6.3) reaches the client in chunks,
    /// and the client's connection stays open, as on the full pipeline.
    @Test func anAnswerEndingWithTheCloseIsChunkedForTheClient() throws {
        let listener = EdgeCaseTests.scriptedBackend(answering: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
        defer { close(listener.fd) }
        let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        let response = try connection.request("/slow", host: "app.test")
        #expect(response.status == 200 && response.text == "until the end")
        #expect(response.header("transfer-encoding") == "chunked" && response.header("connection") == nil)
        #expect(harness.sink.waitFor(1).first?.observed?.bytesOut == 13)
        #expect(try connection.request("/", host: "app.test").status == 200)
    }

    /// A chunked answer that breaks off mid-body: the client connection closes (nothing
    /// else could tell it the body is incomplete) and the exchange is recorded.
    @Test func aBrokenChunkedAnswerClosesTheClient() throws {
        let listener = EdgeCaseTests.scriptedBackend(answering: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelXX")
        defer { close(listener.fd) }
        let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n")
        #expect(try connection.readHead().hasPrefix("HTTP/1.1 200"))
        #expect(connection.isClosedByPeer())
        #expect(harness.sink.waitFor(1).first?.observed?.status == 200)
    }

    /// A pooled backend connection that closes after part of an answer (a 1xx included):
    /// the backend saw the request, so it is not sent again (502, as on the full pipeline).
    @Test(arguments: ["HTTP/1.1 200 OK\r\nX-Partial: 1\r\n", "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"])
    func aRequestPartlyAnsweredIsNotSentAgain(part: String) throws {
        let listener = silentListener()
        defer { close(listener.fd) }
        let connections = SharedCounter()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let first = accept(listener.fd, nil, nil)
            guard first >= 0 else { return }
            connections.increment()
            _ = read(first, &buffer, buffer.count)
            let whole = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
            _ = write(first, whole, whole.count)
            _ = read(first, &buffer, buffer.count)
            let bytes = Array(part.utf8)
            _ = write(first, bytes, bytes.count)
            close(first)
            // A resend would come on a new connection.
            let again = accept(listener.fd, nil, nil)
            if again >= 0 { connections.increment(); close(again) }
        }.start()
        let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        #expect(try connection.request("/slow", host: "app.test").text == "ok")
        try connection.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n")
        if part.contains(" 103 ") { #expect(try connection.readHead().hasPrefix("HTTP/1.1 103")) }
        #expect(try connection.readResponse().status == 502)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(connections.value == 1)
    }

    /// RFC 9110 §15: no status outside 1xx–5xx is passed on, on either path.
    @Test func aStatusOutsideTheRangeIs502() throws {
        for bytePath in [true, false] {
            let listener = EdgeCaseTests.scriptedBackend(answering: "HTTP/1.1 000 Zero\r\nContent-Length: 5\r\n\r\nhello")
            defer { close(listener.fd) }
            let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]]) { $0.bytePath = bytePath }
            defer { harness.stop() }
            #expect(try harness.connect().request("/slow", host: "app.test").status == 502, "byte path \(bytePath)")
        }
    }

    /// A reset is not the end of a body that runs until the close (RFC 9112 §8): the
    /// client's answer stays unfinished, on either path.
    @Test func aResetLeavesABodyUnfinished() throws {
        for bytePath in [true, false] {
            let listener = silentListener()
            defer { close(listener.fd) }
            Thread {
                let connection = accept(listener.fd, nil, nil)
                guard connection >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(connection, &buffer, buffer.count)
                let part = Array("HTTP/1.1 200 OK\r\n\r\nsome-bytes".utf8)
                _ = write(connection, part, part.count)
                Thread.sleep(forTimeInterval: 0.2)
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                close(connection)
            }.start()
            let harness = try edgeHarness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]]) { $0.bytePath = bytePath }
            defer { harness.stop() }
            let connection = try harness.connect()
            try connection.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n")
            #expect(throws: (any Error).self, "byte path \(bytePath)") { try connection.readResponse() }
        }
    }

    /// A body the backend ends with its close is chunked for the client whatever a header
    /// filter set: never `Content-Length` beside `Transfer-Encoding` (RFC 9112 §6.1).
    @Test func aRechunkedBodyDropsAFilteredLength() throws {
        let listener = EdgeCaseTests.scriptedBackend(answering: "HTTP/1.1 200 OK\r\n\r\nhello-until-close")
        defer { close(listener.fd) }
        let route = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: length, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [length.test]
          rules:
          - filters:
            - type: ResponseHeaderModifier
              responseHeaderModifier: {set: [{name: content-length, value: "3"}]}
            backendRefs: [{name: slow, port: 80}]
        """
        let loaded = Loader.load(text: yamlStream(edgeManifests, route), file: "length.yaml", firstLoadOrder: 0)
        #expect(!loaded.hasErrors)
        let harness = try ProxyHarness(resources: loaded.resources, listenerPort: 8080,
                                       extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        let response = try connection.request("/", host: "length.test")
        #expect(response.header("content-length") == nil && response.header("transfer-encoding") == "chunked")
        #expect(response.text == "hello-until-close")
    }
}

/// A counter two threads share.
final class SharedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

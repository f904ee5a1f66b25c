import Foundation
import GatewayAPI
import Proxy
import RoutingCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Gateway answers, failures and hardening, live on loopback.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct EdgeCaseTests {
    func harness(extra: [String: [Endpoint]] = [:], configure: (inout ProxyConfig) -> Void = { _ in }) throws -> ProxyHarness {
        try ProxyHarness(resources: edgeResources(), listenerPort: 8080, extra: extra, configure: configure)
    }

    @Test func redirectAnswersWithLocationAndNoBody() throws {
        let harness = try harness()
        defer { harness.stop() }
        let response = try harness.connect().request("/a?b=1", host: "redirect.test")
        #expect(response.status == 301)
        #expect(response.header("location") == "https://redirect.test/a?b=1")
        #expect(response.body.isEmpty)
    }

    @Test func unknownHostIs404NoRoute() throws {
        let harness = try harness()
        defer { harness.stop() }
        let response = try harness.connect().request("/", host: "nobody.test")
        #expect(response.status == 404)
        #expect(response.text == "no route\n")
    }

    @Test func refusedBackendIs503AndEjected() throws {
        let harness = try harness(extra: ["default/refused": [Endpoint(host: "127.0.0.1", port: refusedPort())]])
        defer { harness.stop() }
        let connection = try harness.connect()
        let first = try connection.request("/refused", host: "app.test")
        #expect(first.status == 503)
        let second = try connection.request("/refused", host: "app.test")  // ejected: no connect attempt
        #expect(second.status == 503)
        #expect(second.text.contains("no healthy endpoint"))
        #expect(try connection.request("/", host: "app.test").status == 200)
    }

    @Test func hungBackendTimesOutWith504() throws {
        let silent = silentListener()
        defer { close(silent.fd) }
        let harness = try harness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: silent.port)]])
        defer { harness.stop() }
        let started = Date()
        let response = try harness.connect().request("/slow", host: "app.test")
        #expect(response.status == 504)
        #expect(Date().timeIntervalSince(started) < 3)
    }

    /// A backend on a listening socket that answers its first connection's first read with
    /// `answer`, exactly as written, then closes it.
    static func scriptedBackend(answering answer: String) -> (fd: Int32, port: Int) {
        let listener = silentListener()
        let fd = listener.fd
        Thread {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &buffer, buffer.count)
            let bytes = Array(answer.utf8)
            _ = write(connection, bytes, bytes.count)
            Thread.sleep(forTimeInterval: 0.2)
            close(connection)
        }.start()
        return listener
    }

    /// A backend that answers with bytes that are not HTTP: 502 that says so.
    @Test func nonHTTPBackendAnswerIs502() throws {
        let listener = Self.scriptedBackend(answering: "SSH-2.0-OpenSSH_9.2\r\n\r\n")
        defer { close(listener.fd) }
        let harness = try harness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let response = try harness.connect().request("/slow", host: "app.test")
        #expect(response.status == 502)
        #expect(response.text == "backend sent an invalid HTTP response\n")
    }

    /// RFC 9110 §15.2: a 1xx answer the proxy did not ask for (103 Early Hints) is passed
    /// on ahead of the final one, hop-by-hop fields aside.
    @Test func informationalAnswersArePassedOn() throws {
        let listener = Self.scriptedBackend(answering: "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nKeep-Alive: timeout=5\r\n\r\n"
                                                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        defer { close(listener.fd) }
        let harness = try harness(extra: ["default/slow": [Endpoint(host: "127.0.0.1", port: listener.port)]])
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n")
        let hints = try connection.readHead()
        #expect(hints.hasPrefix("HTTP/1.1 103"), "\(hints)")
        #expect(hints.contains("Link: </style.css>; rel=preload") && !hints.lowercased().contains("keep-alive"))
        let response = try connection.readResponse()
        #expect(response.status == 200 && response.text == "ok")
    }

    @Test func responseHeaderModifierApplies() throws {
        let harness = try harness()
        defer { harness.stop() }
        let response = try harness.connect().request("/", host: "app.test")
        #expect(response.status == 200)
        #expect(response.header("x-edge") == "yes")
        #expect(response.header("x-whoami-name") == nil)
    }

    @Test func requestMirrorCopiesRequestsToTheMirrorBackend() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        for index in 0..<4 {
            let response = try connection.request("/m\(index)", host: "mirror.test")
            #expect(response.header("x-whoami-name") == "whoami")
        }
        let upload = try connection.request("/upload", method: "POST", host: "mirror.test", body: Array("hello".utf8))
        #expect(upload.header("x-whoami-body-bytes") == "5")
        let deadline = Date().addingTimeInterval(promptly)
        while harness.nginx.stats.requests < 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(harness.nginx.stats.requests == 5)
        #expect(harness.whoami.stats.requests == 5)
    }

    @Test func contentLengthWithTransferEncodingIs400AndClose() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(connection.isClosedByPeer())
    }

    /// RFC 9112 §3.2: no Host or two of them is a 400; an absolute-form target's host is
    /// the one routed on, whatever the Host header says.
    @Test func hostRulesOfRFC9112() throws {
        let harness = try harness()
        defer { harness.stop() }
        for request in ["GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: app.test\r\nHost: nobody.test\r\n\r\n"] {
            let connection = try harness.connect()
            try connection.send(request)
            #expect(try connection.readResponse().status == 400, "\(request)")
            #expect(connection.isClosedByPeer())
        }
        let connection = try harness.connect()
        try connection.send("GET http://redirect.test/a HTTP/1.1\r\nHost: nobody.test\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 301)
        #expect(response.header("location") == "https://redirect.test/a")
    }

    /// The body limit: a Content-Length over it is refused before anything is forwarded, a
    /// chunked body that grows past it is cut off with 413; bodies within it pass.
    @Test func bodiesOverTheLimitAre413() throws {
        let harness = try harness { $0.maxRequestBodyBytes = 1_000 }
        defer { harness.stop() }
        let fits = try harness.connect().request("/upload", method: "POST", host: "app.test", body: Array(repeating: 0x61, count: 1_000))
        #expect(fits.status == 200 && fits.header("x-whoami-body-bytes") == "1000")
        let announced = try harness.connect()
        try announced.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1001\r\n\r\n")
        #expect(try announced.readResponse().status == 413)
        #expect(announced.isClosedByPeer())
        let chunked = try harness.connect()
        let chunk = String(repeating: "b", count: 600)
        try chunked.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
        let response = try chunked.readResponse()
        #expect(response.status == 413)
        #expect(response.text == "request body larger than 1000 bytes\n")
    }

    /// Over HTTP/2 (h2c) a body without Content-Length that grows past the limit gets its
    /// 413 on the stream, which is not reset (a client drops the answer of a reset stream).
    @Test func anHTTP2BodyOverTheLimitGets413() throws {
        let harness = try harness { $0.maxRequestBodyBytes = 1_000 }
        defer { harness.stop() }
        let client = try H2CClient(host: "127.0.0.1", port: harness.port)
        defer { client.close() }
        let response = try client.send(method: "POST", path: "/upload", authority: "app.test", body: Array(repeating: 0x62, count: 50_000))
        #expect(response.status == 413)
        #expect(try client.send(path: "/", authority: "app.test").status == 200)  // the connection goes on
        // The record holds the fields the client sent, not the Transfer-Encoding the HTTP/1
        // conversion added to the length-less body.
        let records = harness.sink.waitFor(2)
        #expect(records.count == 2 && records.allSatisfy { !$0.headers.contains { $0.name.lowercased() == "transfer-encoding" } })
    }

    /// A harness (the byte path on unless `path` is "full pipeline") and a connection to it,
    /// which the byte path has handed over when `path` is "handed over": a body is the full
    /// pipeline's, and the connection is handed over for good.
    func connected(_ path: String, configure: (inout ProxyConfig) -> Void) throws -> (ProxyHarness, RawHTTPConnection) {
        let harness = try harness {
            configure(&$0)
            $0.bytePath = path != "full pipeline"
        }
        do {
            let connection = try harness.connect()
            if path == "handed over" {
                try connection.send("POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 2\r\n\r\nhi")
                #expect(try connection.readResponse().status == 200)
            }
            return (harness, connection)
        } catch {
            harness.stop()
            throw error
        }
    }

    /// A head trickled in byte by byte (slowloris) gets 408 once the head deadline passes,
    /// although every byte resets the idle timer: on the full pipeline, on the byte path
    /// (which drives the timer itself), and after the byte path handed the connection over.
    @Test(arguments: ["full pipeline", "byte path", "handed over"])
    func aTrickledHeadGets408(_ path: String) throws {
        let (harness, connection) = try connected(path) { $0.requestHeadTimeout = .milliseconds(300) }
        defer { harness.stop() }
        let started = Date()
        for byte in "GET / HTTP/1.1\r\nHost: app.test\r\nX-A: ".utf8 {
            try connection.send([byte])
            Thread.sleep(forTimeInterval: 0.02)
            if Date().timeIntervalSince(started) > 0.2 { break }
        }
        let response = try connection.readResponse()
        #expect(response.status == 408)
        #expect(connection.isClosedByPeer())
        // A head that arrives whole, late in a keep-alive connection, is not timed.
        let keptAlive = try harness.connect()
        #expect(try keptAlive.request("/", host: "app.test").status == 200)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(try keptAlive.request("/", host: "app.test").status == 200)
    }

    /// A keep-alive connection left quiet is closed once the idle timeout passes, and one
    /// used within it is not: on the full pipeline (a `ConnectionIdleTimer` in front), on
    /// the byte path (which keeps the idle clock itself), and after the byte path handed
    /// the connection over (its clock goes on, the full pipeline answers).
    @Test(arguments: ["full pipeline", "byte path", "handed over"])
    func aQuietConnectionClosesAfterTheIdleTimeout(_ path: String) throws {
        let (harness, connection) = try connected(path) { $0.clientIdleTimeout = .milliseconds(400) }
        defer { harness.stop() }
        for _ in 0..<4 {
            #expect(try connection.request("/", host: "app.test").status == 200)
            Thread.sleep(forTimeInterval: 0.2)
        }
        let quiet = Date()
        #expect(connection.isClosedByPeer())
        let waited = Date().timeIntervalSince(quiet)
        #expect(waited > 0.1 && waited < 2, "closed after \(waited) s")
    }

    /// A head too large, pipelined behind a request being answered, is answered too (431,
    /// after that request's 200) before the connection closes: on the full pipeline and
    /// on the byte path.
    @Test(arguments: [false, true])
    func aPipelinedHugeHeaderIs431AfterTheAnswerBefore(bytePath: Bool) throws {
        let harness = try harness { $0.bytePath = bytePath }
        defer { harness.stop() }
        let connection = try harness.connect()
        let big = String(repeating: "a", count: ProxyLimits.maxHeaderBytes + 1_000)
        try connection.send("GET / HTTP/1.1\r\nHost: app.test\r\n\r\nGET / HTTP/1.1\r\nHost: app.test\r\nX-Big: \(big)\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 431)
        #expect(connection.isClosedByPeer())
    }

    @Test func hugeHeaderIs431() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        let big = String(repeating: "a", count: ProxyLimits.maxHeaderBytes + 1_000)
        try connection.send("GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: \(big)\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 431)
        #expect(connection.isClosedByPeer())
    }

    @Test func garbageIs400AndTheProxyKeepsServing() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("THIS IS NOT HTTP\r\n\r\n")
        #expect(try connection.readResponse().status == 400)
        #expect(try harness.connect().request("/", host: "app.test").status == 200)
    }

    @Test func largeBodiesStreamThroughIntact() throws {
        let harness = try harness()
        defer { harness.stop() }
        let size = 8 * 1024 * 1024
        var body = [UInt8](repeating: 0, count: size)
        var state: UInt32 = 12_345
        for index in body.indices {
            state = state &* 1_103_515_245 &+ 12_345
            body[index] = UInt8(truncatingIfNeeded: state >> 16)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let connection = try harness.connect()
        let upload = try connection.request("/upload", method: "POST", host: "app.test", body: body)
        #expect(upload.status == 200)
        #expect(upload.header("x-whoami-body-bytes") == String(size))
        #expect(upload.header("x-whoami-body-fnv1a") == String(hash, radix: 16))
        let download = try connection.request("/data?size=\(size)", host: "app.test")
        #expect(download.status == 200)
        #expect(download.body.count == size)
        let records = harness.sink.waitFor(2)
        #expect(records.first?.observed?.bytesIn == size)
        #expect(records.last?.observed?.bytesOut == size)
    }
}

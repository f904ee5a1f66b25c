import Foundation
import GatewayAPI
import NIOHTTP1
@testable import Proxy
import RoutingCore
import Testing

/// HTTP/1.x corners the proxy must get right: pipelining, chunked uploads, HEAD,
/// HTTP/1.0, clients that leave mid-response.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPSemanticsTests {
    func harness() throws -> ProxyHarness { try ProxyHarness(resources: edgeResources(), listenerPort: 8080) }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /one HTTP/1.1\r\nHost: app.test\r\n\r\nGET /two HTTP/1.1\r\nHost: nobody.test\r\n\r\nGET /three HTTP/1.1\r\nHost: app.test\r\n\r\n")
        let first = try connection.readResponse()
        let second = try connection.readResponse()
        let third = try connection.readResponse()
        #expect(first.status == 200 && first.text.contains("GET /one HTTP/1.1"))
        #expect(second.status == 404)
        #expect(third.status == 200 && third.text.contains("GET /three HTTP/1.1"))
    }

    /// A pipelined request with a body is held whole (head, body, end) behind the
    /// one being answered, and the one after it still comes third.
    @Test func pipelinedRequestWithABodyKeepsItsBody() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /one HTTP/1.1\r\nHost: app.test\r\n\r\n"
            + "POST /two HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\n\r\nhello world"
            + "GET /three HTTP/1.1\r\nHost: app.test\r\n\r\n")
        let first = try connection.readResponse()
        let second = try connection.readResponse()
        let third = try connection.readResponse()
        #expect(first.status == 200 && first.text.contains("GET /one HTTP/1.1"))
        #expect(second.status == 200 && second.text.contains("POST /two HTTP/1.1") && second.header("x-whoami-body-bytes") == "11")
        #expect(third.status == 200 && third.text.contains("GET /three HTTP/1.1"))
    }

    /// A request pipelined behind `Connection: close` is not processed: the
    /// connection ends with the first response.
    @Test func nothingIsAnsweredAfterConnectionClose() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /one HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\nGET /two HTTP/1.1\r\nHost: app.test\r\n\r\n")
        let first = try connection.readResponse()
        #expect(first.status == 200 && first.text.contains("GET /one HTTP/1.1"))
        #expect(connection.isClosedByPeer())
        #expect(harness.sink.waitFor(1).count == 1)
    }

    @Test func chunkedUploadIsForwarded() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("x-whoami-body-bytes") == "11")
        #expect(response.text.contains("Transfer-Encoding: chunked"))
    }

    /// RFC 9112 §6.1: only chunked is understood, and an HTTP/1.0 request has no
    /// transfer coding; neither reaches a backend.
    @Test func otherTransferCodingsAreRefused() throws {
        let harness = try harness()
        defer { harness.stop() }
        for (request, status) in [("POST /up HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501),
                                  ("POST /up HTTP/1.0\r\nHost: app.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)] {
            let connection = try harness.connect()
            try connection.send(request)
            let response = try connection.readResponse()
            #expect(response.status == status, "\(request)")
            #expect(response.header("x-whoami-name") == nil)
            #expect(connection.isClosedByPeer())
        }
    }

    /// An HTTP/1.0 client keeps its connection only when told `keep-alive` (RFC 9112 §9.3).
    @Test func aKeptHTTP10ConnectionSaysKeepAlive() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        for path in ["/", "/again"] {
            try connection.send("GET \(path) HTTP/1.0\r\nHost: app.test\r\nConnection: keep-alive\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.header("connection") == "keep-alive")
        }
    }

    /// A body of unknown length reaches an HTTP/1.0 client without Transfer-Encoding,
    /// delimited by the close (RFC 9112 §6.1, §6.3).
    @Test func anHTTP10ClientGetsABodyOfUnknownLengthUntilTheClose() {
        let chunked = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["transfer-encoding": "chunked", "x-a": "1"])
        let edits = ResponseEdits(Decision(outcome: .forward, request: ForwardedRequest(method: "GET", scheme: "http", host: "a", path: "/", headers: [])))
        let old = ResponseWriter.proxiedHead(chunked, edits: edits, requestID: "r", keepAlive: false, version: .http1_0)
        #expect(!old.headers.contains(name: "transfer-encoding") && old.headers["connection"] == ["close"] && old.headers["x-a"] == ["1"])
        let current = ResponseWriter.proxiedHead(chunked, edits: edits, requestID: "r", keepAlive: true, version: .http1_1)
        #expect(current.headers["transfer-encoding"] == ["chunked"] && !current.headers.contains(name: "connection"))
        #expect(ResponseWriter.needsCloseDelimiting(chunked, version: .http1_0, method: .GET))
        #expect(!ResponseWriter.needsCloseDelimiting(chunked, version: .http1_1, method: .GET))
        #expect(!ResponseWriter.needsCloseDelimiting(chunked, version: .http1_0, method: .HEAD))
        let noContent = HTTPResponseHead(version: .http1_1, status: .noContent)
        #expect(!ResponseWriter.needsCloseDelimiting(noContent, version: .http1_0, method: .GET))
        let sized = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "3"])
        #expect(!ResponseWriter.needsCloseDelimiting(sized, version: .http1_0, method: .GET))
        // RFC 9110 §8.6: no Content-Length on a 204, even when the backend sent one.
        let noContentWithLength = HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["content-length": "5"])
        #expect(!ResponseWriter.proxiedHead(noContentWithLength, edits: edits, requestID: "r", keepAlive: true).headers.contains(name: "content-length"))
    }

    /// A client that leaves in the middle of its request body got no answer, and its
    /// record says so (no status), instead of a 400 written to a closed connection.
    @Test func aClientLeavingMidBodyIsRecordedWithoutAStatus() throws {
        let harness = try harness()
        defer { harness.stop() }
        do {
            let connection = try harness.connect()
            try connection.send("POST /up HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100\r\n\r\n0123456789")
        }
        let records = harness.sink.waitFor(1)
        #expect(records.count == 1)
        #expect(records.first?.path == "/up")
        #expect(records.first?.observed?.status == nil, "\(String(describing: records.first?.observed))")
    }

    @Test func headHasNoBody() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        let head = try connection.request("/", method: "HEAD", host: "app.test")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(try connection.request("/", host: "app.test").status == 200)  // framing intact
    }

    @Test func http10ClientGetsItsAnswerAndAClose() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try harness.connect()
        try connection.send("GET /old HTTP/1.0\r\nHost: app.test\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.text.contains("GET /old HTTP/1.1"))  // upstream always speaks 1.1
        #expect(connection.isClosedByPeer())
    }

    @Test func clientLeavingMidResponseIsRecordedAndFreesTheBackend() throws {
        let harness = try harness()
        defer { harness.stop() }
        do {
            let connection = try harness.connect()
            try connection.send("GET /data?size=\(200 * 1024 * 1024) HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: leaver\r\n\r\n")
            Thread.sleep(forTimeInterval: 0.2)
        }  // closed here, having read nothing
        let records = harness.sink.waitFor(1)
        #expect(records.first?.id == "leaver")
        #expect(records.first?.observed?.status == 200)
        #expect((records.first?.observed?.bytesOut ?? 0) < 200 * 1024 * 1024)
        #expect(harness.proxy.stats.inFlight == 0)
        #expect(try harness.connect().request("/", host: "app.test").status == 200)
    }
}

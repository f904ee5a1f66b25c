import Foundation
import NIOCore
import NIOEmbedded
import GatewayAPI
import NIOHTTP1
@testable import Proxy
import RoutingCore
import Scenarios
import Testing

/// The byte path reads heads and finds body ends with its own code (`HeadParser`,
/// `PlainRequestHead`, `PlainResponseHead`, `ResponseBodyFraming`), where the full
/// pipeline uses NIO's parser. Where a proxy and the parser behind it disagree on what a
/// message is, requests get smuggled (RFC 9112 §11.2), so every head or body the byte
/// path accepts must be read the same way by NIO's parser: the same method, target,
/// version and fields, and the same end. Refusing more than NIO does is allowed (the full
/// pipeline then takes the request, or the backend connection is closed).
///
/// Messages are written from parts that matter to framing and routing, then mutated
/// byte by byte with a seeded generator (bytes replaced by ones that separate or end
/// things, inserted, dropped, runs repeated), so every run checks the same variants.
@Suite struct BytePathDifferentialTests {
    static let variants = 20_000

    static let interesting: [UInt8] = Array("\r\n \t:;,/?#%.\"=-0aAzZ".utf8) + [0x00, 0x01, 0x0B, 0x7F, 0x80, 0xC3, 0xFF]

    static let requestLines = ["GET / HTTP/1.1", "GET /api/v1/items?id=7&x=%20 HTTP/1.1", "HEAD /static/app.js HTTP/1.1",
                               "POST /form HTTP/1.1", "GET http://a.test/x HTTP/1.1", "OPTIONS * HTTP/1.1", "GET /a/../b HTTP/1.1",
                               "DELETE /r/1 HTTP/1.0", "get / HTTP/1.1", "CONNECT a.test:443 HTTP/1.1", "GET /x HTTP/1.1 "]
    static let requestFields = ["Host: a.test", "Host: b.test:8080", "User-Agent: curl/8.5.0", "Accept: */*",
                                "Content-Length: 0", "Content-Length: 5", "Transfer-Encoding: chunked", "Connection: keep-alive",
                                "Connection: close", "Expect: 100-continue", "X-Forwarded-For: 10.0.0.1", "Cookie: a=b; c=d",
                                "X-Empty:", "X-Spaced:   padded value  ", "Upgrade: websocket", "Te: trailers", "X-Request-Id: abc",
                                "Host: [::1]:8080", "host: A.Test", "Content-Length: 00", "Content-Length: +0"]

    static let statusLines = ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content",
                              "HTTP/1.1 304 Not Modified", "HTTP/1.1 100 Continue", "HTTP/1.1 302 Found", "HTTP/1.1 500",
                              "HTTP/1.1 200 ", "HTTP/1.1 101 Switching Protocols", "HTTP/1.1 199 Odd", "HTTP/1.1 600 Beyond"]
    static let responseFields = ["Content-Type: text/plain", "Content-Length: 5", "Content-Length: 0", "Transfer-Encoding: chunked",
                                 "Transfer-Encoding: gzip, chunked", "Connection: keep-alive", "Connection: close",
                                 "X-Request-Id: r1", "Server: whoami", "Date: Sat, 28 Nov 2026 22:00:00 GMT", "Keep-Alive: timeout=5",
                                 "Content-Length: 005", "Content-Length: 99999999999999999999", "Content-Length: 5, 5",
                                 "Transfer-Encoding: identity"]
    static let bodies = ["hello", "", "5\r\nhello\r\n0\r\n\r\n", "5;ext=1\r\nhello\r\n0\r\n\r\n",
                         "5;a=\"x \\\" y\";b\r\nhello\r\n0;last\r\nT: v\r\nU:\r\n\r\n",
                         "3\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n", "A\r\n0123456789\r\n0\r\n\r\n", "0\r\n\r\n",
                         "0005\r\nhello\r\n000\r\n\r\n", "FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n"]

    // MARK: requests

    @Test func everyRequestHeadTheBytePathAcceptsNIOReadsTheSame() throws {
        var random = SplitMix64(seed: 0x6277_7369_6d52_4551)
        var taken = 0, plain = 0
        for variant in 0..<Self.variants {
            var lines = [Self.requestLines[random.int(in: 0...Self.requestLines.count - 1)]]
            if random.chance(0.6) { lines.append("Host: a.test") }
            for _ in 0..<random.int(in: 0...4) { lines.append(Self.requestFields[random.int(in: 0...Self.requestFields.count - 1)]) }
            var bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
            for _ in 0..<random.int(in: 0...5) { Self.mutate(&bytes, &random) }
            let buffer = ByteBuffer(bytes: bytes)
            let result = HeadParser.request(buffer, limit: 1024)
            if case .parsed(let parsedHead, let length) = result, let head = FastPathHandler.takes(parsedHead) {
                taken += 1
                try Self.expectNIOReads(head, from: Array(bytes[..<length]), variant: variant)
            }
            let plainHead: PlainRequestHead? = bytes.withUnsafeBytes { raw in
                guard let end = HeadParser.headEnd(raw, limit: 1024) else { return nil }
                var fields: [PlainRequestHead.Field] = []
                return PlainRequestHead.read(raw, end: end, fields: &fields)
            }
            if let plainHead {
                plain += 1
                guard case .parsed(let head, let length) = result, FastPathHandler.takes(head) != nil else {
                    Issue.record("variant \(variant): plain but not taken: \(Self.show(bytes))")
                    continue
                }
                #expect(plainHead.length == length && String(decoding: bytes[plainHead.target], as: UTF8.self) == head.uri
                    && String(decoding: bytes[plainHead.host], as: UTF8.self) == head.headers.first(name: "host"),
                        "variant \(variant): \(Self.show(bytes))")
                Self.expectForwardedAsTheForwarderWould(plainHead, head, bytes: bytes, variant: variant)
            }
        }
        // Both outcomes are exercised, and mutations keep some heads acceptable.
        #expect(taken > Self.variants / 40 && plain > Self.variants / 100, "\(taken) taken, \(plain) plain")
    }

    /// NIO's request decoder reads `bytes` (one head the byte path takes) as `head`, with no body.
    static func expectNIOReads(_ head: HTTPRequestHead, from bytes: [UInt8], variant: Int) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        defer { _ = try? channel.finish() }
        do {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        } catch {
            Issue.record("variant \(variant): NIO refuses a head the byte path accepts (\(error)): \(show(bytes))")
            return
        }
        guard case .head(let decoded) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("variant \(variant): NIO read no head: \(show(bytes))")
            return
        }
        #expect(decoded.method == head.method && decoded.uri == head.uri && decoded.version == head.version,
                "variant \(variant): \(decoded.method) \(decoded.uri) against \(head.method) \(head.uri): \(show(bytes))")
        #expect(fields(decoded.headers) == fields(head.headers), "variant \(variant): fields differ: \(show(bytes))")
        guard case .end = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("variant \(variant): NIO expects a body after \(show(bytes))")
            return
        }
    }

    /// Name and value of each field, the value without the whitespace around it, which is
    /// not part of it (RFC 9110 §5.5; NIO's parser keeps what follows it).
    static func fields(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name): \($0.value.trimmingCharacters(in: [" ", "\t"]))" }
    }

    /// A catch-all route without filters: every request the byte path takes is forwarded unchanged.
    static let catchAll: RoutingTable = {
        let route = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: all, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              rules: [{backendRefs: [{name: whoami, port: 80}]}]
            """
        let text = yamlStream(gwsimClassYAML, edgeGatewayYAML(listeners: ["{name: http, port: 8080, protocol: HTTP}"]), serviceYAML("whoami"), route)
        return Compiler.compile(Loader.load(text: text, file: "all.yaml", firstLoadOrder: 0).resources).table
    }()

    /// A plain head goes to the backend as written, with the forwarding fields added: the
    /// head `RequestForwarder` would build from the parsed one.
    static func expectForwardedAsTheForwarderWould(_ plain: PlainRequestHead, _ head: HTTPRequestHead, bytes: [UInt8], variant: Int) {
        let client = RequestForwarder.Client(ip: "10.1.2.3", listenerPort: 8080, scheme: "http")
        var spliced = ByteBuffer()
        plain.forwarded(from: ByteBuffer(bytes: bytes), fields: PlainRequestHead.ForwardingFields(client), requestID: "id-\(variant)",
                        into: &spliced)
        let host = head.headers.first(name: "host") ?? ""
        let decision = catchAll.route(RouteRequest(port: 8080, method: head.method.rawValue, host: host, path: head.uri,
                                                   headers: head.headers.map { HTTPHeader(name: $0.name, value: $0.value) }),
                                      key: "id-\(variant)")
        let expected = RequestForwarder.upstreamHead(decision: decision, original: head, routedHost: host, client: client,
                                                     requestID: "id-\(variant)")
        guard case .parsed(let sent, let length) = HeadParser.request(spliced, limit: 4096), length == spliced.readableBytes else {
            Issue.record("variant \(variant): the forwarded head does not parse: \(show(spliced.readableBytesView))")
            return
        }
        func lowercased(_ headers: HTTPHeaders) -> [String] { headers.map { "\($0.name.lowercased()): \($0.value)" } }
        #expect(decision.outcome == .forward && sent.method == expected.method && sent.uri == expected.uri
            && lowercased(sent.headers) == lowercased(expected.headers), "variant \(variant): \(show(bytes))")
    }

    // MARK: responses

    @Test func everyResponseTheBytePathDelimitsNIOEndsInTheSamePlace() throws {
        var random = SplitMix64(seed: 0x6277_7369_6d52_4553)
        var delimited = 0
        for variant in 0..<Self.variants {
            var lines = [Self.statusLines[random.int(in: 0...Self.statusLines.count - 1)]]
            for _ in 0..<random.int(in: 0...3) { lines.append(Self.responseFields[random.int(in: 0...Self.responseFields.count - 1)]) }
            let body = Self.bodies[random.int(in: 0...Self.bodies.count - 1)]
            var bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
            for _ in 0..<random.int(in: 0...5) { Self.mutate(&bytes, &random) }
            let isHEAD = random.int(in: 0...7) == 0
            guard let read = Self.delimit(bytes, isHEAD: isHEAD, variant: variant) else { continue }
            delimited += 1
            try Self.expectNIOEnds(bytes, at: read.end, bodyBytes: read.bodyBytes, head: read.head, isHEAD: isHEAD, variant: variant)
        }
        #expect(delimited > Self.variants / 20, "\(delimited) delimited")
    }

    /// What the byte path makes of a response (as `RawUpstreamHandler` reads one): its head,
    /// where it ends and how many body bytes it has; nil when it refuses it, reads it until
    /// the close, or waits for more.
    static func delimit(_ bytes: [UInt8], isHEAD: Bool, variant: Int) -> (head: HTTPResponseHead, end: Int, bodyBytes: Int)? {
        let buffer = ByteBuffer(bytes: bytes)
        guard case .parsed(let head, let length) = HeadParser.response(buffer, limit: 1024), head.status.code >= 200,
              let kind = ResponseBodyFraming.kind(of: head, requestMethod: isHEAD ? .HEAD : .GET) else { return nil }
        let plain: PlainResponseHead? = bytes.withUnsafeBytes { PlainResponseHead.read($0, end: length, requestMethod: isHEAD) }
        if let plain {
            #expect(plain.framing == kind && plain.status == Int(head.status.code), "variant \(variant): \(show(bytes))")
        }
        var framing = ResponseBodyFraming(kind)
        let taken = bytes[length...].withUnsafeBytes { framing.consume($0) }
        // Read as it may arrive, in two pieces: the same end.
        var pieces = ResponseBodyFraming(kind)
        let split = length + (bytes.count - length) / 2
        var takenInPieces = bytes[length..<split].withUnsafeBytes { pieces.consume($0) }
        if takenInPieces == split - length { takenInPieces += bytes[split...].withUnsafeBytes { pieces.consume($0) } }
        #expect(pieces == framing && takenInPieces == taken, "variant \(variant): split at \(split): \(show(bytes))")
        guard framing.isDone else { return nil }
        return (head, length + taken, framing.bodyBytes)
    }

    /// NIO's client pipeline, after a GET or HEAD, reads `bytes[..<end]` as one response:
    /// `head`, then `bodyBytes` of body, then its end.
    static func expectNIOEnds(_ bytes: [UInt8], at end: Int, bodyBytes: Int, head: HTTPResponseHead, isHEAD: Bool, variant: Int) throws {
        func decode(_ bytes: ArraySlice<UInt8>) throws -> [HTTPClientResponsePart]? {
            let channel = EmbeddedChannel()
            defer { _ = try? channel.finish() }
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: isHEAD ? .HEAD : .GET, uri: "/")))
            try channel.writeOutbound(HTTPClientRequestPart.end(nil))
            do { try channel.writeInbound(ByteBuffer(bytes: bytes)) } catch { return nil }
            var parts: [HTTPClientResponsePart] = []
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) { parts.append(part) }
            return parts
        }
        guard let parts = try decode(bytes[..<end]) else {
            Issue.record("variant \(variant): NIO refuses a response the byte path passes on: \(show(bytes[..<end]))")
            return
        }
        guard case .head(let decoded) = parts.first else {
            Issue.record("variant \(variant): NIO read no head: \(show(bytes[..<end]))")
            return
        }
        #expect(decoded.status == head.status && decoded.version == head.version
            && fields(decoded.headers) == fields(head.headers),
                "variant \(variant): heads differ: \(show(bytes))")
        var body = 0
        for case .body(let chunk) in parts { body += chunk.readableBytes }
        guard case .end = parts.last else {
            Issue.record("variant \(variant): NIO has not ended the response where the byte path did (\(end) bytes): \(show(bytes))")
            return
        }
        #expect(body == bodyBytes, "variant \(variant): body \(body) bytes for NIO, \(bodyBytes) for the byte path: \(show(bytes))")
    }

    // MARK: mutation

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let at = random.int(in: 0...bytes.count - 1)
        switch random.int(in: 0...4) {
        case 0: bytes[at] = interesting[random.int(in: 0...interesting.count - 1)]
        case 1: bytes.insert(interesting[random.int(in: 0...interesting.count - 1)], at: at)
        case 2: bytes.remove(at: at)
        case 3:
            let run = bytes[at..<min(bytes.count, at + random.int(in: 1...8))]
            bytes.insert(contentsOf: run, at: at)
        default:
            // Letters change case: names compare without it, values and tokens may not.
            if (0x41...0x5A).contains(bytes[at]) || (0x61...0x7A).contains(bytes[at]) { bytes[at] ^= 0x20 }
        }
    }

    static func show<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self).debugDescription
    }
}

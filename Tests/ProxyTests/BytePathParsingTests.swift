import GatewayAPI
import NIOCore
import NIOHTTP1
@testable import Proxy
import RoutingCore
import Testing

/// The byte path's head parsing, body framing and head writing (`HeadParser`,
/// `ResponseBodyFraming`, `HeadSerializer`), without sockets.
@Suite struct BytePathParsingTests {
    func parseRequest(_ text: String, limit: Int = 1024) -> HeadParser.Result<HTTPRequestHead> {
        HeadParser.request(ByteBuffer(string: text), limit: limit)
    }

    /// The word-at-a-time comparisons agree with a byte-by-byte one at every length the
    /// heads use, for each case of each letter and one byte off anywhere.
    @Test func headNameComparisonsFoldCaseOnlyForLetters() {
        let names: [StaticString] = ["te", "host", "upgrade", "chunked", "keep-alive", "x-request-id", "content-length",
                                     "proxy-connection", "transfer-encoding", "proxy-authorization"]
        func check(_ text: [UInt8], _ name: StaticString) -> Bool {
            text.withUnsafeBytes { HTTPBytes.equalsLowercased($0, 0..<text.count, name) }
        }
        for name in names {
            let lower = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            let upper = lower.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            #expect(check(lower, name) && check(upper, name))
            #expect(!check(lower.dropLast() + [], name))
            for index in lower.indices {
                var off = lower
                off[index] = lower[index] == 0x2D ? 0x5F : 0x2D  // "-" for a letter, "_" for "-"
                #expect(!check(off, name), "\(name) at \(index)")
                var caret = lower
                caret[index] = 0x5E  // "^" folds onto "~", which no name has
                #expect(!check(caret, name))
            }
            let padded = Array("xx".utf8) + lower
            #expect(padded.withUnsafeBytes { HTTPBytes.matches($0, 2, name) })
            #expect(!padded.withUnsafeBytes { HTTPBytes.matches($0, 1, name) })
            #expect(!lower.dropLast().withUnsafeBytes { HTTPBytes.matches($0, 0, name) })
        }
    }

    /// A field value is read a word at a time and then byte by byte: a control byte or
    /// DEL anywhere in it refuses the line, a tab or obs-text (0x80 and up) does not.
    @Test func fieldValuesRefuseControlBytesAtAnyPosition() {
        func read(_ value: [UInt8]) -> Range<Int>? {
            let line = Array("Name: ".utf8) + value + Array("\r\n".utf8)
            return line.withUnsafeBytes { bytes in
                var at = 0
                return HTTPBytes.field(bytes, at: &at, end: bytes.count).map { at == bytes.count ? $0.value : 0..<0 }
            }
        }
        for length in [1, 7, 8, 9, 16, 23, 40] {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            #expect(read(plain) == 6..<(6 + length))
            for index in 0..<length {
                for bad: UInt8 in [0x00, 0x01, 0x0A, 0x0D, 0x1F, 0x7F] {
                    var value = plain
                    value[index] = bad
                    #expect(read(value) == nil, "byte \(bad) at \(index) of \(length)")
                }
                for good: UInt8 in [0x09, 0x20, 0x7E, 0x80, 0xFF] where index > 0 && index < length - 1 {
                    var value = plain
                    value[index] = good
                    #expect(read(value) == 6..<(6 + length), "byte \(good) at \(index) of \(length)")
                }
            }
        }
    }

    @Test func aPlainRequestHeadParsesAsNIOWouldGiveIt() throws {
        let text = "GET /a/b?c=d HTTP/1.1\r\nHost: app.test\r\nX-Note:  two words \t\r\nEmpty:\r\n\r\nrest"
        guard case .parsed(let head, let length) = parseRequest(text) else { Issue.record("not parsed"); return }
        #expect(length == text.utf8.count - 4)
        #expect(head.method == .GET && head.uri == "/a/b?c=d" && head.version == .http1_1)
        #expect(head.headers.map { "\($0.name)=\($0.value)" } == ["Host=app.test", "X-Note=two words", "Empty="])
    }

    /// The byte tests say what RFC 9110's tchar list and the String set of hop-by-hop names say.
    @Test func byteClassesAgreeWithTcharAndTheHopByHopNames() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HeadParser.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
        var names = Array(HopByHop.names) + HopByHop.names.map { $0.uppercased() } + ["", "t", "tf", "trailers", "upgradE", "connectio",
                                                                                     "keep-alivf", "proxy-connectioN", "x-whoami-body-bytes"]
        names += HopByHop.names.map { String($0.dropLast()) + "x" }
        for name in names {
            let bytes = Array(name.utf8)
            let found = bytes.withUnsafeBytes { HTTPBytes.isHopByHop($0, 0..<bytes.count) }
            #expect(found == HopByHop.names.contains(name.lowercased()), "\(name)")
        }
    }

    @Test func headsWrittenAnyOtherWayAreLeftToTheFullPipeline() {
        let others = [
            "GET / HTTP/1.0\r\nHost: a\r\n\r\n",             // HTTP/1.0 framing rules
            "GET / HTTP/1.1\nHost: a\r\n\r\n",               // bare LF
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",            // space before the colon
            "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",          // obsolete line folding
            "GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n",          // a control byte in a value
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",            // two spaces
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",             // not a token
        ]
        for text in others {
            guard case .unsupported = parseRequest(text) else { Issue.record("accepted: \(text.debugDescription)"); continue }
        }
    }

    /// What can no longer become a head is refused at once, not waited for.
    @Test func anUnfinishedHeadThatCannotBeOneIsRefusedAtOnce() {
        for text in ["GET / HTTP/1.1\nHost: a\n", "hello\r\n", "GET / HTTP/1.1\r\nHost: a\nX", "get / HTTP/1.1\r\n",
                     "FOO / HTTP/1.1\r\nHost: a\r\n\r\n"] {
            guard case .unsupported = parseRequest(text) else { Issue.record("waits: \(text.debugDescription)"); continue }
        }
        for text in ["HTTP/1.1 000 Zero\r\n\r\n", "HTTP/1.1 099 Early\r\n", "HTTP/1.1 200 OK\nContent-Length: 5\n"] {
            guard case .unsupported = HeadParser.response(ByteBuffer(string: text), limit: 1024) else {
                Issue.record("accepted or waits: \(text.debugDescription)")
                continue
            }
        }
        let cannotBe = ["GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}", "GET / HTTP/1.1\r\nHost : a\r\n", "GET / HTTP/1.1\r\nHost :",
                        "GET / HTTP/1.1\r\nX: a\r\n b\r\n", "GET / HTTP/1.1\r\nX: a\rb", "\u{16}\u{3}\u{1}\u{2}"]
        for text in cannotBe {
            guard case .unsupported = parseRequest(text) else { Issue.record("waits: \(text.debugDescription)"); continue }
        }
        for text in ["GET / HT", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-Parti", "GET / HTTP/1.1\r\nHost: a\r\n\r"] {
            guard case .incomplete = parseRequest(text) else { Issue.record("a good start refused: \(text.debugDescription)"); continue }
        }
    }

    /// The fields of a backend head count as NIO's decoder counts them (names and values),
    /// against the same limit.
    @Test func responseFieldsPastNIOsLimitAreRefused() {
        func head(_ valueBytes: Int) -> ByteBuffer {
            ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: " + String(repeating: "a", count: valueBytes) + "\r\n\r\n")
        }
        let fits = ProxyLimits.maxResponseFieldBytes - "Content-Length0X-Big".utf8.count
        guard case .parsed = HeadParser.response(head(fits), limit: ProxyLimits.maxResponseHeadBytes) else { Issue.record("refused"); return }
        guard case .unsupported = HeadParser.response(head(fits + 1), limit: ProxyLimits.maxResponseHeadBytes) else {
            Issue.record("accepted past the limit")
            return
        }
        #expect(head(fits + 1).withUnsafeReadableBytes { PlainResponseHead.read($0, end: $0.count, requestMethod: false) } == nil)
    }

    @Test func anUnfinishedHeadWaitsUntilItPassesTheLimit() {
        guard case .incomplete = parseRequest("GET / HTTP/1.1\r\nHost: a\r\n") else { Issue.record("not incomplete"); return }
        let long = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200)
        guard case .unsupported = parseRequest(long, limit: 100) else { Issue.record("over the limit, still waiting"); return }
    }

    @Test func responseHeadsKeepStatusAndFields() throws {
        for (text, code) in [("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", 204), ("HTTP/1.0 200\r\n\r\n", 200),
                             ("HTTP/1.1 404 Gone Fishing\r\n\r\n", 404)] {
            guard case .parsed(let head, _) = HeadParser.response(ByteBuffer(string: text), limit: 1024) else {
                Issue.record("not parsed: \(text.debugDescription)")
                continue
            }
            #expect(Int(head.status.code) == code)
        }
        guard case .unsupported = HeadParser.response(ByteBuffer(string: "SSH-2.0-OpenSSH_9.2\r\n\r\n"), limit: 1024) else {
            Issue.record("not HTTP, accepted")
            return
        }
    }

    func kind(_ status: Int, _ headers: [(String, String)], method: HTTPMethod = .GET) -> ResponseBodyFraming.Kind? {
        ResponseBodyFraming.kind(of: HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status),
                                                      headers: HTTPHeaders(headers)), requestMethod: method)
    }

    /// RFC 9112 §6.3, in its order.
    @Test func theBodyLengthFollowsTheMessageFramingRules() {
        #expect(kind(200, [("Content-Length", "5")], method: .HEAD) == ResponseBodyFraming.Kind.none)
        #expect(kind(304, [("Content-Length", "5")]) == ResponseBodyFraming.Kind.none)
        #expect(kind(204, []) == ResponseBodyFraming.Kind.none)
        #expect(kind(200, [("Transfer-Encoding", "chunked")]) == .chunked && kind(200, [("Transfer-Encoding", " Chunked ")]) == .chunked)
        // Another coding than chunked alone: refused, as nginx refuses it (see `kind`).
        #expect(kind(200, [("Transfer-Encoding", "gzip, chunked")]) == nil && kind(200, [("Transfer-Encoding", "gzip")]) == nil)
        #expect(kind(200, [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]) == nil)
        #expect(kind(200, [("Content-Length", "5")]) == .length(5))
        // Framings that disagree, or could: refused (RFC 9112 §6.3, RFC 9110 §8.6).
        #expect(kind(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "5")]) == nil)
        #expect(kind(200, [("Content-Length", "5, 5")]) == nil)
        #expect(kind(200, [("Content-Length", "5"), ("Content-Length", "5")]) == nil)
        #expect(kind(200, [("Content-Length", "-1")]) == nil)
        #expect(kind(200, []) == .untilClose)
        // Even where no body follows: the client would get contradicting framing fields.
        #expect(kind(304, [("Content-Length", "5"), ("Content-Length", "0")]) == nil)
        #expect(kind(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "0")], method: .HEAD) == nil)
        // An empty list element, which NIO's parser does not skip (`chunked,` is not chunked to it).
        #expect(kind(200, [("Transfer-Encoding", "chunked,")]) == nil)
        #expect(kind(200, [("Transfer-Encoding", "gzip, , chunked")]) == nil)
    }

    /// A tab after a framing field's value is whitespace to RFC 9110 §5.5, but NIO's parser
    /// refuses such a length and reads such a coding as not chunked: refused, read in
    /// place or in full; a space, or a tab before the value, is not.
    @Test func aTabAfterAFramingValueIsRefused() {
        func head(_ field: String) -> String { "HTTP/1.1 200 OK\r\n\(field)\r\n\r\n" }
        func plain(_ text: String) -> PlainResponseHead? {
            Array(text.utf8).withUnsafeBytes { PlainResponseHead.read($0, end: $0.count, requestMethod: false) }
        }
        for field in ["Transfer-Encoding: chunked\t", "Content-Length: 5\t", "content-length: 5 \t "] {
            guard case .unsupported = HeadParser.response(ByteBuffer(string: head(field)), limit: 1024) else {
                Issue.record("accepted: \(field.debugDescription)")
                continue
            }
            #expect(plain(head(field)) == nil, "\(field.debugDescription)")
        }
        for field in ["Transfer-Encoding:\tchunked ", "Content-Length: 5 ", "X-Other: a\t"] {
            guard case .parsed = HeadParser.response(ByteBuffer(string: head(field)), limit: 1024) else {
                Issue.record("refused: \(field.debugDescription)")
                continue
            }
        }
        #expect(plain(head("Transfer-Encoding:\tchunked "))?.framing == .chunked)
        #expect(plain(head("Content-Length: 5 "))?.framing == .length(5))
    }

    /// Fed whole or a byte at a time, a chunked body ends at the blank line after its
    /// trailers, and counts only its data.
    @Test func aChunkedBodyEndsAfterItsTrailers() {
        let body = Array("5;name=value\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n".utf8)
        let after = Array("HTTP/1.1 200 OK".utf8)
        var whole = ResponseBodyFraming(.chunked)
        let taken = (body + after).withUnsafeBytes { whole.consume($0) }
        #expect(taken == body.count && whole.isDone && whole.bodyBytes == 21)
        var byByte = ResponseBodyFraming(.chunked)
        for byte in body { #expect([byte].withUnsafeBytes { byByte.consume($0) } == 1) }
        #expect(byByte.isDone && byByte.bodyBytes == 21)
    }

    @Test func brokenChunkFramingIsMalformed() {
        for text in ["zz\r\n", "5\r\nhelloXX", "5\nhello\r\n", "\r\n"] {
            var framing = ResponseBodyFraming(.chunked)
            _ = Array(text.utf8).withUnsafeBytes { framing.consume($0) }
            #expect(framing.isMalformed, "\(text.debugDescription)")
        }
    }

    /// Chunk extensions and trailer fields are passed on as they came, so they must be
    /// what RFC 9112 §7.1 says they are, without the optional whitespace NIO's parser
    /// refuses in extensions.
    @Test func chunkExtensionsAndTrailersFollowTheirGrammar() {
        func ends(_ text: String) -> Bool {
            var framing = ResponseBodyFraming(.chunked)
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { framing.consume($0) } == bytes.count && framing.isDone
        }
        for line in ["5;a", "5;a=b", "5;a=\"x y\"", "5;a=\"q\\\"\";b;c=d", "5;a=\"\u{E9}\""] {
            #expect(ends(line + "\r\nhello\r\n0\r\n\r\n"), "\(line.debugDescription)")
        }
        for line in ["5 ;a", "5; a", "5;a =b", "5;a= b", "5;a=", "5;=b", "5;a=b c", "5;a=\"x", "5;a=\"x\"y", "5;", "5 ", "5;a\u{1}"] {
            #expect(!ends(line + "\r\nhello\r\n0\r\n\r\n"), "\(line.debugDescription)")
        }
        #expect(ends("0\r\nT: v\r\nU:\r\nV: \u{E9} \t\r\n\r\n"))
        for trailer in ["T v", ": v", "T : v", "T: a\u{1}b", "T: a\u{7F}"] {
            #expect(!ends("0\r\n\(trailer)\r\n\r\n"), "\(trailer.debugDescription)")
        }
    }

    @Test func aContentLengthBodyEndsAtItsLength() {
        var framing = ResponseBodyFraming(.length(4))
        #expect(Array("ab".utf8).withUnsafeBytes { framing.consume($0) } == 2 && !framing.isDone)
        #expect(Array("cdEXTRA".utf8).withUnsafeBytes { framing.consume($0) } == 2 && framing.isDone && framing.bodyBytes == 4)
    }

    /// RFC 9110 §5.5: a field that would split the message is never written.
    @Test func fieldsThatWouldSplitTheHeadAreRefused() {
        var buffer = ByteBuffer()
        let bad = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["X-A": "ok", "X-B": "a\r\nInjected: yes"])
        #expect(!HeadSerializer.write(bad, to: &buffer) && buffer.readableBytes == 0)
        let good = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["X-A": "ok"])
        #expect(HeadSerializer.write(good, to: &buffer))
        #expect(String(buffer: buffer) == "HTTP/1.1 200 OK\r\nX-A: ok\r\n\r\n")
    }

    /// The spliced head is what `proxiedHead` would write, byte for byte, when it only adds
    /// fields; read in place (`PlainResponseHead`) or parsed, the head is judged alike.
    @Test func aSplicedHeadIsTheProxiedHead() throws {
        let edits = ResponseEdits(headers: HeaderModifier(), cors: [])
        for (text, keepAlive) in [("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\n", true),
                                  ("HTTP/1.1 404 Not Found\r\nX-Request-Id: theirs\r\nTransfer-Encoding: chunked\r\n\r\n", false)] {
            let raw = ByteBuffer(string: text)
            guard case .parsed(let head, _) = HeadParser.response(raw, limit: 1024) else { Issue.record("not parsed"); continue }
            let hasRequestID = try #require(ResponseWriter.onlyAddsFields(to: head, edits: edits) as Bool?)
            let plain = try #require(raw.withUnsafeReadableBytes { PlainResponseHead.read($0, end: $0.count, requestMethod: false) })
            #expect(plain.hasRequestID == hasRequestID && plain.status == Int(head.status.code))
            #expect(plain.framing == ResponseBodyFraming.kind(of: head, requestMethod: .GET))
            let spliced = ResponseWriter.splicedHead(raw: raw, hasRequestID: hasRequestID, requestID: "id-1", keepAlive: keepAlive,
                                                     allocator: ByteBufferAllocator())
            var written = ByteBuffer()
            #expect(HeadSerializer.write(ResponseWriter.proxiedHead(head, edits: edits, requestID: "id-1", keepAlive: keepAlive), to: &written))
            #expect(String(buffer: spliced) == String(buffer: written))
        }
        let changed = ResponseEdits(headers: HeaderModifier(set: [HTTPHeader(name: "x-b", value: "c")]), cors: [])
        for (text, edits) in [("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n", edits),
                              ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", changed)] {
            guard case .parsed(let head, _) = HeadParser.response(ByteBuffer(string: text), limit: 1024) else { Issue.record("not parsed"); continue }
            #expect(ResponseWriter.onlyAddsFields(to: head, edits: edits) == nil)
        }
    }

    /// Read in place only when it can go on as it came, with a framing of its own.
    @Test func onlyResponseHeadsPassedOnAsTheyCameArePlain() {
        func plain(_ text: String, head: Bool = false) -> PlainResponseHead? {
            Array(text.utf8).withUnsafeBytes { PlainResponseHead.read($0, end: $0.count, requestMethod: head) }
        }
        #expect(plain("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")?.framing == .length(12))
        #expect(plain("HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n")?.framing == ResponseBodyFraming.Kind.none)
        #expect(plain("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", head: true)?.framing == ResponseBodyFraming.Kind.none)
        let others = [
            "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 103 Early Hints\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        ]
        for text in others { #expect(plain(text) == nil, "\(text.debugDescription)") }
    }

    func plain(_ text: String) -> PlainRequestHead? {
        var fields: [PlainRequestHead.Field] = []
        return Array(text.utf8).withUnsafeBytes { bytes in
            HeadParser.headEnd(bytes, limit: 1024).flatMap { PlainRequestHead.read(bytes, end: $0, fields: &fields) }
        }
    }

    /// Plain: what the forwarder would pass on unchanged. Anything it would rewrite, drop or
    /// act on is left to the general byte path.
    @Test func onlyHeadsTheForwarderLeavesAloneArePlain() {
        #expect(plain("GET /a/b.css?x=%2e HTTP/1.1\r\nHost: app.test\r\nAccept: */*\r\n\r\n") != nil)
        #expect(plain("HEAD / HTTP/1.1\r\nhost: app.test:8080\r\n\r\n")?.isHEAD == true)
        let notPlain = [
            "POST / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /%61 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nAccept: */*\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nx-request-id: mine\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a\r\n\r\n",
        ]
        for text in notPlain { #expect(plain(text) == nil, "\(text.debugDescription)") }
    }

    /// The plain head's forwarded bytes carry what `RequestForwarder.upstreamHead` gives
    /// the backend for the same request: the same fields, values and order.
    @Test func aPlainHeadIsForwardedAsTheForwarderWould() throws {
        let text = "GET /x?y=1 HTTP/1.1\r\nHost: app.test\r\nUser-Agent: t\r\nAccept: a, b\r\n\r\n"
        let head = try #require(plain(text))
        let client = RequestForwarder.Client(ip: "10.1.2.3", listenerPort: 8080, scheme: "http")
        var spliced = ByteBuffer()
        // Read from behind an earlier request's bytes, as a pipelined head is.
        var received = ByteBuffer(string: "GET /earlier HTTP/1.1\r\nHost: e\r\n\r\n" + text)
        received.moveReaderIndex(forwardBy: received.readableBytes - text.utf8.count)
        spliced.writeStaticString("kept")
        head.forwarded(from: received, fields: PlainRequestHead.ForwardingFields(client), requestID: "id-7", into: &spliced)
        #expect(spliced.readString(length: 4) == "kept")
        guard case .parsed(let original, _) = HeadParser.request(ByteBuffer(string: text), limit: 1024),
              case .parsed(let sent, _) = HeadParser.request(spliced, limit: 1024) else { Issue.record("not parsed"); return }
        let table = Compiler.compile(edgeResources()).table
        let decision = table.route(RouteRequest(port: 8080, host: "app.test", path: "/x?y=1",
                                                headers: original.headers.map { HTTPHeader(name: $0.name, value: $0.value) }), key: "id-7")
        let expected = RequestForwarder.upstreamHead(decision: decision, original: original, routedHost: "app.test", client: client,
                                                     requestID: "id-7")
        func fields(_ head: HTTPRequestHead) -> [String] { head.headers.map { "\($0.name.lowercased())=\($0.value)" } }
        #expect(sent.uri == expected.uri && sent.method == expected.method)
        #expect(fields(sent) == fields(expected))
    }
}

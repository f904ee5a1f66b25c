import GatewayAPI
import NIOCore
import NIOHTTP1
@testable import Proxy
import RoutingCore
import Testing

/// The pure pieces: upstream head, response heads, balancing, endpoint resolution, flags.
@Suite struct PureFunctionTests {
    func decision(host: String = "app", headers: [HTTPHeader] = []) -> Decision {
        Decision(outcome: .forward, backend: BackendRef(namespace: "ns", name: "svc", port: 80),
                 request: ForwardedRequest(method: "GET", scheme: "http", host: host, path: "/p?q=1", headers: headers))
    }

    @Test func upstreamHeadAddsForwardedHeadersAndDropsHopByHop() {
        var original = HTTPHeaders([("Host", "app:8000"), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "s"),
                                    ("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"), ("Accept", "*/*")])
        original.add(name: "Keep-Alive", value: "timeout=5")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/p?q=1", headers: original)
        let routed = decision(headers: original.map { HTTPHeader(name: $0.name.lowercased(), value: $0.value) })
        let up = RequestForwarder.upstreamHead(decision: routed, original: head, routedHost: "app",
                                               client: .init(ip: "10.0.0.9", listenerPort: 8000, scheme: "http"),
                                               requestID: "id-1")
        #expect(up.uri == "/p?q=1")
        #expect(up.headers["host"] == ["app:8000"])  // as the client sent it
        #expect(up.headers["x-forwarded-for"] == ["1.2.3.4, 10.0.0.9"])
        #expect(up.headers["x-forwarded-proto"] == ["http"])
        #expect(up.headers["x-forwarded-host"] == ["app:8000"])
        #expect(up.headers["x-forwarded-port"] == ["8000"])
        #expect(up.headers["x-request-id"] == ["id-1"])
        #expect(up.headers["accept"] == ["*/*"])
        #expect(!up.headers.contains(name: "connection"))
        #expect(!up.headers.contains(name: "keep-alive"))
        #expect(!up.headers.contains(name: "x-secret"))
    }

    /// A POST with neither Content-Length nor Transfer-Encoding has no body, and the
    /// backend is told so by a length of 0 rather than an empty chunked body.
    @Test func aRequestWithoutABodySaysContentLengthZero() {
        func upstream(_ method: HTTPMethod, _ headers: [(String, String)]) -> HTTPHeaders {
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: "/p", headers: HTTPHeaders([("Host", "app")] + headers))
            return RequestForwarder.upstreamHead(decision: decision(), original: head, routedHost: "app",
                                                 client: .init(ip: "10.0.0.9", listenerPort: 8000, scheme: "http"),
                                                 requestID: "id").headers
        }
        #expect(upstream(.POST, [])["content-length"] == ["0"])
        #expect(upstream(.PUT, [])["content-length"] == ["0"])
        #expect(!upstream(.GET, []).contains(name: "content-length"))
        #expect(!upstream(.POST, [("Transfer-Encoding", "chunked")]).contains(name: "content-length"))
    }

    /// RFC 9112 §9.3, which both paths follow (NIO's `isKeepAlive` on fields not from its
    /// parser takes an option given twice for `close`).
    @Test func aConnectionPersistsUnlessClosed() {
        func persists(_ values: [String], _ version: HTTPVersion = .http1_1) -> Bool {
            HopByHop.persists(HTTPHeaders(values.map { ("Connection", $0) }), version: version)
        }
        #expect(persists([]) && persists(["keep-alive", "keep-alive"]) && persists(["Keep-Alive, keep-alive"]) && persists(["x-hop"]))
        #expect(!persists(["close"]) && !persists(["keep-alive, CLOSE"]) && !persists(["keep-alive", " close "]))
        #expect(!persists([], .http1_0) && persists(["keep-alive"], .http1_0) && persists(["keep-alive", "keep-alive"], .http1_0))
        #expect(!persists(["keep-alive", "close"], .http1_0))
    }

    /// What may go to a backend: a target of visible ASCII (`"`, `{`, `|` included, as NIO's
    /// parser reads them) and fields that cannot split the message.
    @Test func aHeadIsSendableWhenItStaysOneMessage() {
        func head(_ uri: String, _ fields: [(String, String)] = [("Host", "a")]) -> HTTPRequestHead {
            HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: HTTPHeaders(fields))
        }
        #expect(HeadSerializer.isSendable(head("/q?f={a|b}&s=\"x\"&t=<^`>\\")))
        for bad in [head("/a b"), head("/a\u{7F}"), head("/é"), head("/", [("X", "a\r\nY: b")]), head("/", [("X Y", "a")]), head("/", [("", "a")])] {
            #expect(!HeadSerializer.isSendable(bad), "\(bad)")
            var buffer = ByteBuffer()
            #expect(!HeadSerializer.write(bad, to: &buffer) && buffer.readableBytes == 0)
        }
    }

    /// RFC 9110 §5.5: the whitespace NIO's parser leaves after a value is not part of it.
    @Test func fieldValuesLoseTheWhitespaceAfterThem() throws {
        let received = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/",
                                       headers: HTTPHeaders([("Host", "app.test \t"), ("X-T", "blue  "), ("X-U", "a b")]))
        let head = try RequestTarget.normalize(received, http2: false).get()
        #expect(head.headers.map { "\($0.name)=\($0.value)" } == ["Host=app.test", "X-T=blue", "X-U=a b"])
    }

    /// RFC 9112 §3.2: one valid Host on HTTP/1.1, and an absolute-form target's host wins.
    @Test func requestTargetAndHostFollowRFC9112() throws {
        func head(_ uri: String, hosts: [String], version: HTTPVersion = .http1_1) -> HTTPRequestHead {
            HTTPRequestHead(version: version, method: .GET, uri: uri, headers: HTTPHeaders(hosts.map { ("Host", $0) }))
        }
        let absolute = try RequestTarget.normalize(head("http://App.test:8080/hdr?x=1", hosts: ["other"]), http2: false).get()
        #expect(absolute.uri == "/hdr?x=1" && absolute.headers["host"] == ["App.test:8080"])
        #expect(try RequestTarget.normalize(head("HTTPS://a.test", hosts: []), http2: false).get().uri == "/")
        #expect(try RequestTarget.normalize(head("http://a.test?q", hosts: []), http2: false).get().uri == "/?q")
        #expect(try RequestTarget.normalize(head("/", hosts: ["a.test"]), http2: false).get().uri == "/")
        #expect(try RequestTarget.normalize(head("/", hosts: [], version: .http1_0), http2: false).get().uri == "/")
        // Targets that are neither a path nor an http(s) URL name nothing a route can match.
        let connect = HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: "web:80", headers: ["Host": "web:80"])
        #expect(RequestTarget.normalize(connect, http2: false) == .failure(RequestTarget.Refusal(
            "CONNECT is not served: this is a gateway, not a forward proxy", status: 405)))
        for (uri, hosts) in [("/", []), ("/", ["a", "b"]), ("/", ["a b"]), ("/", ["u@a"]), ("http:///x", []), ("http://u@a/x", []),
                             ("ftp://web/x", ["web"]), ("*", ["web"])] {
            #expect(throws: RequestTarget.Refusal.self, "\(uri) \(hosts)") { try RequestTarget.normalize(head(uri, hosts: hosts), http2: false).get() }
        }
    }

    /// RFC 3986 §5.2.4: a path is routed as the resource it names.
    @Test func dotSegmentsAreRemovedBeforeRouting() throws {
        let cases: [(String, String)] = [
            ("/public/../admin", "/admin"), ("/a/./b", "/a/b"), ("/a/.", "/a/"), ("/a/b/..", "/a/"), ("/..", "/"),
            ("/../../x", "/x"), ("/%2E%2e/x", "/x"), ("/a/%2e/b?q=/../", "/a/b?q=/../"), ("/.hidden/x", "/.hidden/x"),
            ("/a//b", "/a//b"), ("/", "/"), ("*", "*"), ("/x?y=1", "/x?y=1"),
        ]
        for (target, expected) in cases {
            #expect(RequestTarget.withoutDotSegments(target) == expected, "\(target)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "http://a.test/p/../q", headers: [:])
        #expect(try RequestTarget.normalize(head, http2: false).get().uri == "/q")
    }

    @Test func urlRewriteHostnameReplacesHost() {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: HTTPHeaders([("Host", "app")]))
        let up = RequestForwarder.upstreamHead(decision: decision(host: "internal.svc", headers: [HTTPHeader(name: "host", value: "app")]),
                                               original: head, routedHost: "app",
                                               client: .init(ip: "10.0.0.9", listenerPort: 80, scheme: "http"), requestID: "x")
        #expect(up.headers["host"] == ["internal.svc"])
        #expect(up.headers["x-forwarded-host"] == ["app"])
    }

    /// One X-Request-Id reaches the backend: the one the exchange is recorded by, unless a
    /// RequestHeaderModifier changed the header.
    @Test func theBackendGetsOneRequestID() {
        func ids(client: [String], routed: [String], id: String) -> [String] {
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: HTTPHeaders([("Host", "app")] + client.map { ("X-Request-Id", $0) }))
            return RequestForwarder.upstreamHead(decision: decision(headers: routed.map { HTTPHeader(name: "X-Request-Id", value: $0) }), original: head,
                                                 routedHost: "app", client: .init(ip: "10.0.0.9", listenerPort: 80, scheme: "http"),
                                                 requestID: id).headers["x-request-id"]
        }
        #expect(ids(client: [], routed: [], id: "generated") == ["generated"])
        #expect(ids(client: ["a", "b"], routed: ["a", "b"], id: "a") == ["a"])
        #expect(ids(client: [""], routed: [""], id: "generated") == ["generated"])
        #expect(ids(client: ["a"], routed: ["fixed"], id: "a") == ["fixed"])
        #expect(ids(client: ["a"], routed: [], id: "a") == [])
    }

    @Test func responseHeaderChangesApplyRemoveSetAdd() {
        var routed = decision()
        routed.responseHeaders.remove = ["server"]
        routed.responseHeaders.set = [HTTPHeader(name: "X-Set", value: "new")]
        routed.responseHeaders.add = [HTTPHeader(name: "X-Add", value: "2")]
        routed.cors = CORSResult(preflight: false, allowed: true, headers: [HTTPHeader(name: "Access-Control-Allow-Origin", value: "https://a")])
        let upstream = HTTPResponseHead(version: .http1_1, status: .ok,
                                        headers: HTTPHeaders([("Server", "x"), ("X-Set", "old"), ("X-Add", "1"), ("Connection", "keep-alive")]))
        let out = ResponseWriter.proxiedHead(upstream, edits: ResponseEdits(routed), requestID: "r", keepAlive: false)
        #expect(!out.headers.contains(name: "server"))
        #expect(out.headers["x-set"] == ["new"])
        #expect(out.headers["x-add"] == ["1", "2"])
        #expect(out.headers["access-control-allow-origin"] == ["https://a"])
        #expect(out.headers["connection"] == ["close"])
        #expect(out.headers["x-request-id"] == ["r"])
    }

    @Test func roundRobinSkipsEjectedEndpointsUntilTheyExpire() {
        let pool = EndpointPool()
        let a = Endpoint(host: "10.0.0.1", port: 80), b = Endpoint(host: "10.0.0.2", port: 80)
        let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect((0..<4).map { _ in pool.pick(backend: "s", endpoints: [a, b], now: now) } == [a, b, a, b])
        pool.eject(a, for: .seconds(10), now: now)
        #expect((0..<3).map { _ in pool.pick(backend: "s", endpoints: [a, b], now: now) } == [b, b, b])
        pool.eject(b, for: .seconds(10), now: now)
        #expect(pool.pick(backend: "s", endpoints: [a, b], now: now) == nil)
        #expect(pool.pick(backend: "s", endpoints: [a, b], now: now + .seconds(11)) != nil)
    }

    @Test func resolverUsesSlicesExternalNameAndOverrides() throws {
        let loaded = Loader.load(text: """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: ns}
            spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: ns, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, port: 8080}]
            endpoints:
            - addresses: [10.1.0.2]
            - addresses: [10.1.0.1]
            - addresses: [10.1.0.3]
              conditions: {ready: false}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ext, namespace: ns}
            spec: {type: ExternalName, externalName: example.org, ports: [{port: 443}]}
            """, file: "r.yaml")
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let resolver = BackendResolver(resources: loaded.resources, overrides: ["ns/pinned": [Endpoint(host: "127.0.0.1", port: 9)]])
        #expect(resolver.endpoints(for: BackendRef(namespace: "ns", name: "web", port: 80)).map(\.description) == ["10.1.0.1:8080", "10.1.0.2:8080"])
        #expect(resolver.endpoints(for: BackendRef(namespace: "ns", name: "ext", port: 443)).map(\.description) == ["example.org:443"])
        #expect(resolver.endpoints(for: BackendRef(namespace: "ns", name: "pinned", port: 80)).map(\.description) == ["127.0.0.1:9"])
        #expect(resolver.endpoints(for: BackendRef(namespace: "ns", name: "missing", port: 80)).isEmpty)
    }

    @Test func flagParsing() {
        #expect(ProxyConfig.parseBackendOverride("kube-system/whoami=127.0.0.1:9001")?.endpoint == Endpoint(host: "127.0.0.1", port: 9001))
        #expect(ProxyConfig.parseBackendOverride("ns/name=[::1]:80")?.endpoint.description == "[::1]:80")
        #expect(ProxyConfig.parseBackendOverride("whoami=127.0.0.1:1") == nil)
        #expect(ProxyConfig.parseBackendOverride("a/b=host") == nil)
        #expect(ProxyConfig.parsePortMapping("8000=0")! == (8000, 0))
        #expect(ProxyConfig.parsePortMapping("8000") == nil)
        #expect(Endpoint(parsing: "127.0.0.1:0") == nil)
        #expect(Endpoint(parsing: "127.0.0.1:0", allowEphemeral: true) == Endpoint(host: "127.0.0.1", port: 0))
    }

    @Test func requestIDsAreDistinct() {
        let generator = RequestIDGenerator(startMicros: 1_767_225_600_000_000)
        let ids = (0..<1_000).map { _ in generator.next() }
        #expect(Set(ids).count == 1_000)
        #expect(ids[0].hasSuffix("-1"))
        // Spelled as decimal after the base-36 start time, at every count of digits.
        let prefix = String(UInt64(1_767_225_600_000_000), radix: 36)
        #expect(ids[8] == "\(prefix)-9" && ids[9] == "\(prefix)-10" && ids[99] == "\(prefix)-100" && ids[999] == "\(prefix)-1000")
    }

    @Test func whoamiJSONIsValidAndSorted() throws {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/a\"b",
                                   headers: HTTPHeaders([("Host", "h"), ("X-B", "1"), ("x-b", "2"), ("A", "\n")]))
        let text = WhoamiReply.json(name: "n", head: head, remoteAddr: "1.2.3.4:5", listen: "127.0.0.1")
        #expect(text == #"{"name":"n","method":"GET","host":"h","path":"/a\"b","headers":{"a":"\n","host":"h","x-b":"1, 2"},"remoteAddr":"1.2.3.4:5","listen":"127.0.0.1"}"# + "\n")
        #expect(WhoamiReply.canonical("x-forwarded-for") == "X-Forwarded-For")
    }
}

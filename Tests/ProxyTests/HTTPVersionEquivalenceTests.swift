@testable import Proxy
import Scenarios
import Testing

/// A request means the same whichever HTTP version carries it (RFC 9113 §8.3.1: `:method`,
/// `:path` and `:authority` stand for the request line and Host): the same proxy routes
/// it, filters it and forwards it alike over HTTP/1.1 and over HTTP/2 (h2c). Seeded
/// requests drawn from targets and fields that routing, normalization and forwarding
/// treat specially; compared are the status, the response fields and the request the
/// backend echoes, names compared without case (HTTP/2 lower-cases them) and ids aside.
@Suite(.serialized) struct HTTPVersionEquivalenceTests {
    static let requests = 200

    static let targets = ["/", "/api/v1?id=7", "/a/../b", "/a/./b/", "/%61pi", "/q?f={a|b}&s=\"x\"", "/go/x", "/slow/x", "//double",
                          "/x?", "/x?#frag"]
    static let authorities = ["app.test", "redirect.test", "mirror.test", "nobody.test", "APP.test:8080", "app.test."]
    static let fields = [("accept", "*/*"), ("user-agent", "t/1"), ("x-forwarded-for", "10.9.9.9"), ("x-request-id", "mine"),
                         ("cookie", "a=b"), ("x-empty", ""), ("te", "trailers"), ("x-real-ip", "1.1.1.1"), ("x-multi", "a, b")]

    @Test func bothVersionsAnswerAlike() throws {
        let harness = try ProxyHarness(resources: edgeResources(), listenerPort: 8080)
        defer { harness.stop() }
        let http2 = try H2CClient(host: "127.0.0.1", port: harness.port)
        defer { http2.close() }
        var random = SplitMix64(seed: 0x6832_7665_7273_6e31)
        var forwarded = 0
        for index in 0..<Self.requests {
            let method = ["GET", "GET", "HEAD", "DELETE", "OPTIONS"][random.int(in: 0...4)]
            let target = Self.targets[random.int(in: 0...Self.targets.count - 1)]
            let authority = Self.authorities[random.int(in: 0...Self.authorities.count - 1)]
            var headers: [(String, String)] = []
            for _ in 0..<random.int(in: 0...3) { headers.append(Self.fields[random.int(in: 0...Self.fields.count - 1)]) }
            let connection = try harness.connect()
            let one = try connection.request(target, method: method, host: authority, headers: headers)
            let two = try http2.send(method: method, path: target, authority: authority, headers: headers)
            let what = "request \(index): \(method) \(authority)\(target) \(headers)"
            #expect(two.status == one.status, "\(what)")
            #expect(Self.fields(two.headers) == Self.fields(one.headers), "\(what)")
            // The length of an empty body comes first over HTTP/2 (its conversion to HTTP/1
            // announces it), last over HTTP/1.1 (the forwarder adds it): the same fields otherwise.
            let (echoTwo, echoOne) = (Self.echo(two.body), Self.echo(one.body))
            func withoutLength(_ echo: [String]) -> [String] { echo.filter { !$0.hasPrefix("content-length:") } }
            #expect(withoutLength(echoTwo) == withoutLength(echoOne) && echoTwo.count == echoOne.count, "\(what)")
            if one.status == 200 { forwarded += 1 }
        }
        #expect(forwarded > Self.requests / 5, "\(forwarded) forwarded")
    }

    /// Response fields without the framing and connection ones that differ by version
    /// (RFC 9113 §8.2.2), names lower-cased.
    static func fields(_ headers: [(String, String)]) -> [String] {
        let byVersion: Set = ["content-length", "transfer-encoding", "connection", "keep-alive", "x-request-id", "date"]
        return headers.map { ($0.0.lowercased(), $0.1) }.filter { !byVersion.contains($0.0) }.map { "\($0.0): \($0.1)" }
    }

    /// The whoami echo without the lines naming this connection or a generated id, field
    /// names lower-cased.
    static func echo(_ body: [UInt8]) -> [String] {
        String(decoding: body, as: UTF8.self).split(separator: "\n").compactMap { line in
            if line.hasPrefix("RemoteAddr") || line.lowercased().hasPrefix("x-request-id") { return nil }
            guard let colon = line.firstIndex(of: ":"), !line.contains(" HTTP/1.1") else { return String(line) }
            return line[..<colon].lowercased() + line[colon...]
        }
    }
}

import Foundation
import EventLog
import NIOCore
@testable import Proxy
import Replay
import Scenarios
import Testing

/// The byte path is an optimization, not a second behaviour: over real sockets, a proxy
/// with it and one without answer the same seeded, mutated requests alike (status,
/// fields, the body the backend echoes, and whether the connection still serves a next
/// request), ids and addresses aside. The mutations reach every way out of the byte path:
/// heads it reads in place, heads it parses, heads it hands to the full pipeline, and
/// heads nobody accepts.
@Suite(.serialized) struct BytePathEquivalenceTests {
    static let requests = 300

    static let requestLines = ["GET / HTTP/1.1", "GET /api/v1?id=7 HTTP/1.1", "HEAD /x HTTP/1.1", "DELETE /r/1 HTTP/1.1",
                               "GET /go/x HTTP/1.1", "GET /a/../b HTTP/1.1", "GET http://app.test/abs HTTP/1.1", "GET / HTTP/1.0",
                               "GET /q?f={a|b}&s=\"x\" HTTP/1.1"]
    static let hosts = ["Host: app.test", "Host: redirect.test", "Host: mirror.test", "Host: nobody.test", "host: APP.test:8080",
                        "Host: app.test \t"]
    static let fields = ["Accept: */*", "User-Agent: t/1", "Connection: keep-alive", "Connection: close", "X-Forwarded-For: 10.9.9.9",
                         "Content-Length: 0", "X-Request-Id: mine", "Cookie: a=b", "X-Empty:", "Te: trailers", "Upgrade: h2c",
                         "Connection: keep-alive, Keep-Alive"]

    @Test func bothPathsAnswerMutatedRequestsAlike() throws {
        let bytePath = try ProxyHarness(resources: edgeResources(), listenerPort: 8080)
        defer { bytePath.stop() }
        let fullPipeline = try ProxyHarness(resources: edgeResources(), listenerPort: 8080) { $0.bytePath = false }
        defer { fullPipeline.stop() }
        var random = SplitMix64(seed: 0x6571_7569_7661_6c31)
        var answered = 0
        for index in 0..<Self.requests {
            var lines = [Self.requestLines[random.int(in: 0...Self.requestLines.count - 1)]]
            if random.chance(0.9) { lines.append(Self.hosts[random.int(in: 0...Self.hosts.count - 1)]) }
            for _ in 0..<random.int(in: 0...3) { lines.append(Self.fields[random.int(in: 0...Self.fields.count - 1)]) }
            // Mutated within the head; the blank line after it is always there, so nobody waits.
            var head = Array(lines.joined(separator: "\r\n").utf8)
            for _ in 0..<random.int(in: 0...2) { BytePathDifferentialTests.mutate(&head, &random) }
            let bytes = head + Array("\r\n\r\n".utf8)
            let method = String(decoding: head.prefix { $0 != 0x20 }, as: UTF8.self)
            let expected = Self.exchange(bytes, method: method, port: fullPipeline.port)
            let seen = Self.exchange(bytes, method: method, port: bytePath.port)
            #expect(seen == expected, "request \(index): \(BytePathDifferentialTests.show(bytes))")
            if expected.first?.hasPrefix("2") == true { answered += 1 }
        }
        // Mutations leave enough requests whole to reach the backend.
        #expect(answered > Self.requests / 5, "\(answered) answered 2xx")
        // What either proxy recorded replays to what it did (`gwsim replay --verify`).
        for harness in [bytePath, fullPipeline] {
            // Every answer has been read, but a record is made as its exchange ends: wait until none comes.
            var records: [RequestRecord] = []
            repeat {
                records = harness.sink.records
                Thread.sleep(forTimeInterval: 0.1)
            } while harness.sink.records.count != records.count
            let log = try recordedLog(manifests: edgeManifests, file: "edge.yaml", records: records)
            defer { removeTemporaryLog(log) }
            let verification = try #require(try Replay.run(ReplayOptions(tracePath: log, verify: true)).report.verification)
            #expect(verification.observed > Self.requests / 2 && verification.disagreements == 0, "\(verification.text)")
        }
    }

    /// The answer to `bytes` on a fresh connection, then to a plain GET on the same one
    /// (or how the connection ended), with what names this connection or request left out.
    static func exchange(_ bytes: [UInt8], method: String, port: Int) -> [String] {
        var seen: [String] = []
        do {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 3)
            try connection.send(bytes)
            seen.append(describe(try connection.readResponse(method: method)))
            try connection.send("GET /next HTTP/1.1\r\nHost: app.test\r\n\r\n")
            seen.append(describe(try connection.readResponse()))
        } catch {
            seen.append("no answer")
        }
        return seen
    }

    /// The answer without what varies by connection or request. Whether the connection
    /// persists shows in the next answer; `Connection: close` is left out, since the full
    /// pipeline's parser reads ahead and announces the close of a connection whose next
    /// pipelined request is broken one answer earlier than the byte path, which reads
    /// that request only once the first is answered.
    static func describe(_ response: RawHTTPConnection.Response) -> String {
        let varying: Set<String> = ["x-request-id", "content-length", "date", "connection"]
        let fields = response.headers.filter { !varying.contains($0.0.lowercased()) }.map { "\($0.0.lowercased()): \($0.1)" }
        let echo = response.text.split(separator: "\n").filter { !$0.hasPrefix("RemoteAddr") && !$0.hasPrefix("X-Request-Id") }
        return "\(response.status) \(fields) \(echo)"
    }
}

import Foundation
import NIOCore
import Proxy
import Testing

/// RFC 9113 §5.4: a connection error ends the connection (GOAWAY, then the TCP
/// connection closes); a stream error ends only its stream.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTP2ConnectionErrorTests {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
    }

    /// The frames the proxy sends, as (type, flags, stream, payload), until EOF or `stop` says so.
    static func readFrames(_ connection: RawHTTPConnection, until stop: ((UInt8, UInt8, UInt32, [UInt8])) -> Bool) -> [(UInt8, UInt8, UInt32, [UInt8])] {
        var frames: [(UInt8, UInt8, UInt32, [UInt8])] = []
        while let header = try? connection.readBytes(9) {
            let length = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
            let stream = UInt32(header[5] & 0x7f) << 24 | UInt32(header[6]) << 16 | UInt32(header[7]) << 8 | UInt32(header[8])
            guard let payload = try? connection.readBytes(length) else { break }
            frames.append((header[3], header[4], stream, payload))
            if stop(frames.last!) { break }
        }
        return frames
    }

    func harness() throws -> ProxyHarness {
        // An idle timeout far beyond the read timeout: a close seen here is the error's.
        try ProxyHarness(resources: edgeResources(), listenerPort: 8080) { $0.clientIdleTimeout = .seconds(60) }
    }

    @Test func aConnectionErrorSendsGoAwayAndClosesTheConnection() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try RawHTTPConnection(port: harness.port, timeoutSeconds: 5)
        // DATA on stream 0 is a connection error of type PROTOCOL_ERROR (RFC 9113 §6.1).
        try connection.send(Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x0, payload: [0x78]))
        let frames = Self.readFrames(connection) { $0.0 == 0x7 }
        let goAway = try #require(frames.last)
        #expect(goAway.0 == 0x7)
        #expect(goAway.3.count >= 8 && goAway.3[4..<8] != [0, 0, 0, 0])
        #expect(connection.isClosedByPeer())
    }

    @Test func aStreamErrorLeavesTheConnectionOpen() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try RawHTTPConnection(port: harness.port, timeoutSeconds: 5)
        // GET / with an upper-case field name: a malformed request, a stream error (RFC 9113 §8.2.1).
        let authority = Array("redirect.test".utf8)
        let block: [UInt8] = [0x82, 0x86, 0x84, 0x41, UInt8(authority.count)] + authority + [0x00, 0x05] + Array("X-Bad".utf8) + [0x01, 0x31]
        try connection.send(Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x1, flags: 0x5, stream: 1, payload: block))
        let reset = Self.readFrames(connection) { $0.0 == 0x3 || $0.0 == 0x7 }
        #expect(reset.last?.0 == 0x3)
        try connection.send(Self.frame(type: 0x6, payload: Array(repeating: 7, count: 8)))
        let pong = Self.readFrames(connection) { $0.0 == 0x6 && $0.1 & 0x1 != 0 }
        #expect(pong.last.map { $0.0 == 0x6 && $0.1 & 0x1 != 0 } == true)
    }

    /// An HPACK integer with an `prefix`-bit prefix (RFC 7541 §5.1).
    static func hpackInteger(_ value: Int, prefix: Int, flags: UInt8 = 0) -> [UInt8] {
        let limit = (1 << prefix) - 1
        if value < limit { return [flags | UInt8(value)] }
        var bytes = [flags | UInt8(limit)]
        var rest = value - limit
        while rest >= 128 { bytes.append(UInt8(rest % 128 + 128)); rest /= 128 }
        return bytes + [UInt8(rest)]
    }

    /// A header block left open gets the request-head timeout, like a slow HTTP/1.1 head.
    @Test func aHeaderBlockLeftOpenIsCutOffByTheHeadTimeout() throws {
        let harness = try ProxyHarness(resources: edgeResources(), listenerPort: 8080) {
            $0.clientIdleTimeout = .seconds(60)
            $0.requestHeadTimeout = .milliseconds(300)
        }
        defer { harness.stop() }
        let connection = try RawHTTPConnection(port: harness.port, timeoutSeconds: 5)
        // HEADERS with END_STREAM but without END_HEADERS: the block stays open.
        try connection.send(Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x1, flags: 0x1, stream: 1, payload: [0x82, 0x86, 0x84]))
        #expect(connection.isClosedByPeer())
    }

    /// The header list limit over HTTP/2 is the proxy's (64 KiB), not NIO's 16 KiB.
    @Test func aThirtyKilobyteHeaderListIsServed() throws {
        let harness = try harness()
        defer { harness.stop() }
        let connection = try RawHTTPConnection(port: harness.port, timeoutSeconds: 5)
        try connection.send(Self.preface + Self.frame(type: 0x4))
        _ = Self.readFrames(connection) { $0.0 == 0x4 && $0.1 & 0x1 == 0 }
        try connection.send(Self.frame(type: 0x4, flags: 0x1))
        let authority = Array("redirect.test".utf8)
        let value = [UInt8](repeating: 0x61, count: 30_000)
        let block: [UInt8] = [0x82, 0x86, 0x84, 0x41, UInt8(authority.count)] + authority + [0x00, 0x05] + Array("x-big".utf8)
            + Self.hpackInteger(value.count, prefix: 7) + value
        let first = Array(block.prefix(16_000)), second = Array(block.dropFirst(16_000))
        try connection.send(Self.frame(type: 0x1, flags: 0x1, stream: 1, payload: first) + Self.frame(type: 0x9, flags: 0x4, stream: 1, payload: second))
        let answer = Self.readFrames(connection) { ($0.0 == 0x1 && $0.2 == 1) || $0.0 == 0x7 }
        #expect(answer.last.map { $0.0 == 0x1 && $0.2 == 1 } == true, "\(answer.map { ($0.0, $0.2) })")
    }

    /// RFC 9113 §8.3.1 and §8.5: a request with `host` but no `:authority` is served by
    /// that host, `:authority` and `host` that differ are malformed (400), and CONNECT is
    /// refused with 405 as over HTTP/1.1; each is answered and recorded, not reset.
    @Test func authorityHostAndConnectAreAnsweredNotReset() throws {
        let harness = try harness()
        defer { harness.stop() }
        func literal(_ index: UInt8, _ value: String) -> [UInt8] { [0x40 | index, UInt8(value.utf8.count)] + Array(value.utf8) }
        let cases: [(block: [UInt8], status: Int)] = [
            ([0x82, 0x86, 0x84] + literal(38, "redirect.test"), 301),
            ([0x82, 0x86, 0x84] + literal(1, "redirect.test") + literal(38, "app.test"), 400),
            (literal(2, "CONNECT") + literal(1, "redirect.test:443"), 405),
        ]
        for (index, item) in cases.enumerated() {
            let connection = try RawHTTPConnection(port: harness.port, timeoutSeconds: 5)
            try connection.send(Self.preface + Self.frame(type: 0x4) + Self.frame(type: 0x1, flags: 0x5, stream: 1, payload: item.block))
            let frames = Self.readFrames(connection) { ($0.0 == 0x1 && $0.2 == 1) || $0.0 == 0x3 || $0.0 == 0x7 }
            #expect(frames.last.map { $0.0 == 0x1 } == true, "case \(index): \(frames.map { ($0.0, $0.2) })")
            let record = harness.sink.waitFor(index + 1).last
            #expect(record?.observed?.status == item.status, "case \(index): \(String(describing: record))")
        }
    }
}

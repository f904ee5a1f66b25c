import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import Testing

/// HTTP/2 downstream: ALPN `h2` on an HTTPS listener, each stream routed and forwarded
/// like an HTTP/1.1 request (the backend still gets HTTP/1.1).
@Suite(.serialized, .timeLimit(.minutes(1)), .enabled(if: TestCertificates.available, "/usr/bin/openssl not found: HTTP/2 tests skipped"))
struct HTTP2Tests {
    @Test func h2ClientGetsResponsesOverHTTP2() throws {
        let fixture = try TLSFixture()
        defer { fixture.stop() }
        let (channel, multiplexer) = try Self.connect(fixture, sni: "a.example.com")
        defer { channel.close(promise: nil) }
        // Two concurrent streams on one connection.
        let first = try Self.get(multiplexer, on: channel, host: "a.example.com", path: "/one")
        let second = try Self.get(multiplexer, on: channel, host: "a.example.com", path: "/two")
        let responses = try [first, second].map { try $0.wait(on: channel.eventLoop) }
        for response in responses {
            #expect(response.status == 200)
            #expect(response.version.major == 2)
            #expect(response.header("x-whoami-name") == "whoami")
            #expect(response.body.contains("X-Forwarded-Proto: https"))
        }
        #expect(responses[0].body.contains("GET /one HTTP/1.1"))
        #expect(responses[1].body.contains("GET /two HTTP/1.1"))
        // The SNI picked listener a: a Host of another listener is misdirected, per stream too.
        let misdirected = try Self.get(multiplexer, on: channel, host: "b.example.com", path: "/").wait(on: channel.eventLoop)
        #expect(misdirected.status == 421)
        // A body larger than the stream's flow-control window, chunked by the backend.
        let download = try Self.get(multiplexer, on: channel, host: "a.example.com", path: "/data?size=300000").wait(on: channel.eventLoop)
        #expect(download.status == 200)
        #expect(download.body.utf8.count == 300_000)
        let records = fixture.harness.sink.waitFor(4)
        #expect(records.count == 4 && records.allSatisfy { $0.scheme == "https" })
    }

    /// A TLS connection speaking HTTP/2, and its stream multiplexer. The HTTP/2 handler goes
    /// in with TLS, in the channel initializer: added after `connect` returned, it lost the
    /// race with the handshake now and then, the server's SETTINGS reached the end of the
    /// pipeline and were dropped, and the connection never answered.
    static func connect(_ fixture: TLSFixture, sni: String) throws -> (any Channel, NIOHTTP2Handler.StreamMultiplexer) {
        final class Box: @unchecked Sendable { var multiplexer: NIOHTTP2Handler.StreamMultiplexer? }
        let box = Box()  // written in the initializer, which runs before `connect` returns
        let channel = try fixture.connect(sni: sni, alpn: ["h2"]) { channel in
            box.multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
                inboundStreamInitializer: { $0.eventLoop.makeSucceededVoidFuture() })
        }
        return (channel, box.multiplexer!)
    }

    /// Opens a stream and sends a GET on it; the collector gets the response.
    static func get(_ multiplexer: NIOHTTP2Handler.StreamMultiplexer, on channel: any Channel, host: String, path: String) throws -> ResponseCollector {
        let collector = ResponseCollector()
        let promise = channel.eventLoop.makePromise(of: (any Channel).self)
        multiplexer.createStreamChannel(promise: promise) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .https))
                try stream.pipeline.syncOperations.addHandler(collector)
            }
        }
        let stream = try promise.futureResult.wait()
        var headers = HTTPHeaders()
        headers.add(name: "host", value: host)
        stream.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http2, method: .GET, uri: path, headers: headers)), promise: nil)
        try stream.writeAndFlush(HTTPClientRequestPart.end(nil)).wait()
        return collector
    }
}

import NIOCore

/// Closes an HTTP/2 connection once a GOAWAY for an error condition has been written:
/// RFC 9113 §5.4.1 says the endpoint MUST then close the TCP connection. NIO's HTTP/2
/// handler writes that GOAWAY itself and reports the error the way it reports a stream
/// error, so the error cannot tell the two apart; the frame can. This handler sits
/// between the HTTP/2 handler and the socket (or TLS), follows the frame boundaries of
/// what is written (RFC 9113 §4.1: a 9-byte header whose first 3 bytes are the payload
/// length), and reads the error code of every GOAWAY (§6.8: after the last stream id).
/// A GOAWAY with NO_ERROR, the graceful one sent when draining, leaves the connection open.
final class ErrorGoAwayCloser: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private static let frameHeaderBytes = 9
    private static let goAwayType: UInt8 = 0x7
    /// Last-stream-id (4 bytes), then the error code (4 bytes).
    private static let goAwayCodeEnd = 8

    /// The frame header being read, until it has all 9 bytes.
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to come.
    private var remaining = 0
    /// In a GOAWAY: its payload bytes up to the end of the error code.
    private var goAway: [UInt8]?
    private var closing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else { return context.write(data, promise: promise) }
        var sawErrorGoAway = false
        switch unwrapOutboundIn(data) {
        case .byteBuffer(let buffer):
            buffer.withUnsafeReadableBytes { sawErrorGoAway = follow($0) }
        case .fileRegion(let region):
            remaining -= min(remaining, region.readableBytes)
        }
        guard sawErrorGoAway else { return context.write(data, promise: promise) }
        closing = true
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        context.write(data, promise: written)
    }

    /// Advances over `bytes`; true once an error GOAWAY's code has been read.
    private func follow(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            if remaining > 0 {
                let take = min(remaining, bytes.count - index)
                if var payload = goAway {
                    let wanted = min(take, Self.goAwayCodeEnd - payload.count)
                    payload.append(contentsOf: bytes[index..<index + wanted])
                    goAway = payload
                    if payload.count == Self.goAwayCodeEnd {
                        goAway = nil
                        if payload[4..<8].contains(where: { $0 != 0 }) { return true }
                    }
                }
                remaining -= take
                index += take
                continue
            }
            header.append(bytes[index])
            index += 1
            guard header.count == Self.frameHeaderBytes else { continue }
            remaining = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
            goAway = header[3] == Self.goAwayType && remaining >= Self.goAwayCodeEnd ? [] : nil
            header.removeAll(keepingCapacity: true)
        }
        return false
    }
}

import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A blocking TLS client for the live runner: dials 127.0.0.1 with an SNI, verifies the
/// server's chain against the given roots (not its names: the suite's clients trust the
/// CA), then sends text and reads lines or everything until the server closes.
final class LiveStreamClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let condition = NSCondition()
    private var received: [UInt8] = []
    private var closed = false
    /// The first error the connection saw (handshake failures among them).
    private(set) var failure: String?
    private var channel: (any Channel)?

    static func connect(port: Int, sni: String, trust: [NIOSSLCertificate], group: any EventLoopGroup,
                        timeout: TimeAmount = .seconds(5)) throws -> LiveStreamClient {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(trust)
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        let context = try NIOSSLContext(configuration: configuration)
        let client = LiveStreamClient()
        let channel = try ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni.isEmpty ? nil : sni))
                    try channel.pipeline.syncOperations.addHandler(client)
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
        client.channel = channel
        return client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        condition.lock()
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        condition.broadcast()
        condition.unlock()
    }

    func channelInactive(context: ChannelHandlerContext) {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        condition.lock()
        if failure == nil { failure = "\(error)" }
        condition.unlock()
        context.close(promise: nil)
    }

    /// The next line without its newline; nil once closed or after `timeout` seconds.
    func readLine(timeout: Double = 5) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<newline], as: UTF8.self)
                received.removeSubrange(...newline)
                return line
            }
            if closed || !condition.wait(until: deadline) { return nil }
        }
    }

    /// Everything received until the server closes (or `timeout` seconds).
    func readToClose(timeout: Double = 5) -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !closed && condition.wait(until: deadline) {}
        return received
    }

    func send(_ text: String) {
        channel?.writeAndFlush(ByteBuffer(string: text), promise: nil)
    }

    func close() { channel?.close(promise: nil) }
}

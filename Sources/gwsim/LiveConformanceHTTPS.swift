import Conformance
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// HTTPS for the live conformance run: the same one-request-per-connection HTTP/1.1
/// exchange as `LiveHTTPClient`, inside a TLS session that sends the case's server name
/// (SNI) and trusts the suite's stand-in certificates (`SuiteCertificates.trustRoots`),
/// as upstream's client trusts the certificate it generated (roundtripper.go
/// createTLSClientConfig): the chain and the host name must verify. ALPN offers only
/// `http/1.1`, as upstream's HTTP/1 transport does when it is given a TLS config.
enum LiveHTTPSClient {
    /// One event loop thread serves every HTTPS exchange of a run.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private static let contexts = NIOLockedValueBox<[String: NIOSSLContext]>([:])

    /// A client context offering `alpn` and presenting the stand-in certificate of Secret
    /// `clientCertificate` (`SuiteCertificates`), if any; built once per combination.
    static func context(alpn: [String], clientCertificate: String?) throws -> NIOSSLContext {
        let key = alpn.joined(separator: ",") + "|" + (clientCertificate ?? "")
        if let context = contexts.withLockedValue({ $0[key] }) { return context }
        var configuration = try configuration(alpn: alpn)
        if let name = clientCertificate {
            guard let pair = SuiteCertificates.secrets[name] else {
                throw LiveHTTPClient.ClientError(description: "no stand-in client certificate \(name)")
            }
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(pair.certificate.utf8)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(pair.key.utf8), format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        contexts.withLockedValue { $0[key] = context }
        return context
    }

    /// Trusts only the suite's stand-in roots; verifies the chain and the host name.
    static func configuration(alpn: [String]) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try SuiteCertificates.trustRoots.map { try NIOSSLCertificate(bytes: Array($0.utf8), format: .pem) })
        configuration.certificateVerification = .fullVerification
        configuration.applicationProtocols = alpn
        return configuration
    }

    /// SNI carries a DNS name only (RFC 6066 section 3): none for an address or an empty name.
    static func serverNameIndication(_ name: String?) -> String? {
        name.flatMap { $0.isEmpty || $0.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : $0 }
    }

    static func send(host: String, port: Int, serverName: String?, clientCertificate: String? = nil, method: String, target: String,
                     headers: [(String, String)], body: String?, timeoutSeconds: Int64 = 5) throws -> LiveHTTPClient.Response {
        let context = try context(alpn: ["http/1.1"], clientCertificate: clientCertificate)
        let bytes = LiveHTTPClient.requestBytes(method: method, target: target, headers: headers, body: body)
        let collector = ResponseCollector()
        let sni = serverNameIndication(serverName)
        let channel = try ClientBootstrap(group: group)
            .connectTimeout(.seconds(timeoutSeconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: sni))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: host, port: port).wait()
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) { channel.close(promise: nil) }
        defer { timeout.cancel() }
        let received = try collector.done.futureResult.wait()
        return try LiveHTTPClient.parse(received)
    }

    /// Collects the bytes of the decrypted response until the connection ends. A TLS
    /// error before any byte arrived fails the exchange (e.g. a refused handshake); one
    /// after (an unclean shutdown) does not.
    final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<[UInt8]>
        private var received: [UInt8] = []
        private var failure: Error?

        init() { done = LiveHTTPSClient.group.next().makePromise() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if failure == nil { failure = error }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if received.isEmpty, let failure {
                done.fail(failure)
            } else if received.isEmpty {
                done.fail(LiveHTTPClient.ClientError(description: "connection closed without a response"))
            } else {
                done.succeed(received)
            }
        }
    }
}

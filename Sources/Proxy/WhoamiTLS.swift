import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS

/// `gwsim whoami --tls-cert --tls-key`: the echo backend behind TLS, so the gateway's
/// BackendTLSPolicy connections have something to authenticate. The ClientHello's server
/// name is peeked before the handshake and reported on every response as
/// `X-Whoami-TLS-Server-Name` (what the conformance checks call the backend-side SNI).
/// ALPN offers `h2` and `http/1.1`, like a gRPC server behind TLS; which one arrives is
/// told by its first bytes either way (`WhoamiProtocols`).
public enum WhoamiTLS {
    static let applicationProtocols = ["h2", "http/1.1"]

    /// The response header carrying the server name the client's TLS handshake asked for.
    public static let serverNameHeader = "x-whoami-tls-server-name"

    /// A server context from PEM files' contents (certificate chain, private key). With
    /// `clientCAPEM`, clients must present a certificate issued by one of those CAs (to test
    /// a Gateway's backend client certificate).
    public static func context(certificatePEM: String, keyPEM: String, clientCAPEM: String? = nil) throws -> NIOSSLContext {
        guard let clientCAPEM else {
            return try TLSCertificates.context(certificatePEM: certificatePEM, keyPEM: keyPEM, alpn: applicationProtocols)
        }
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = applicationProtocols
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCAPEM.utf8)))
        return try NIOSSLContext(configuration: configuration)
    }

    /// Adds the SNI peek and the TLS handler in front of whatever the pipeline holds, and
    /// returns the header handler to place after the HTTP server codec.
    static func secure(_ channel: any Channel, context: NIOSSLContext) throws -> WhoamiServerNameHeader {
        let header = WhoamiServerNameHeader()
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ByteToMessageHandler(SNIHandler { result in
            if case .hostname(let name) = result { header.serverName = name }
            return channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                let peek = try sync.handler(type: ByteToMessageHandler<SNIHandler>.self)
                try sync.addHandler(NIOSSLServerHandler(context: context), position: .after(peek))
            }
        }), position: .first)
        return header
    }
}

/// Adds `X-Whoami-TLS-Server-Name` to each response head.
final class WhoamiServerNameHeader: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Set by the SNI peek, before any request is read (same event loop).
    var serverName: String?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        if case .head(var head) = part {
            head.headers.replaceOrAdd(name: WhoamiTLS.serverNameHeader, value: serverName ?? "")
            part = .head(head)
        }
        context.write(wrapOutboundOut(part), promise: promise)
    }
}

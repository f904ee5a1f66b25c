import NIOCore
import NIOSSL
import NIOTLS

/// Gateway-to-backend TLS on an upstream connection (BackendTLSPolicy): a NIOSSL client
/// handler with the policy's SNI and trust, then `BackendTLSVerifier`, both ahead of the
/// HTTP client codec. `UpstreamConnector` calls `secure` while building the pipeline and
/// `handshaken` on the connected channel: the connection is handed to an exchange only once
/// the backend is authenticated, so a failure never sends a request (the exchange answers
/// 502 instead).
enum BackendTLSConnector {
    static func secure(_ channel: any Channel, with tls: BackendTLSClient) throws {
        let sync = channel.pipeline.syncOperations
        let hostname = tls.serverName.isEmpty || tls.serverName.contains(":") || tls.serverName.allSatisfy({ $0.isNumber || $0 == "." })
            ? nil : tls.serverName
        try sync.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: hostname))
        try sync.addHandler(BackendTLSVerifier(acceptedNames: tls.acceptedNames, requiredProtocol: tls.requiredProtocol,
                                               promise: channel.eventLoop.makePromise()))
    }

    /// Completes when the handshake and the name check are done; fails with a `BackendTLSError`.
    static func handshaken(_ channel: any Channel) -> EventLoopFuture<any Channel> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.handler(type: BackendTLSVerifier.self).done
        }.flatMap { $0 }.map { channel }.flatMapError { error in
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error is BackendTLSError ? error : BackendTLSError.handshake("\(error)"))
        }
    }

    /// Whether a connect failure was the backend's TLS (502) rather than its absence (503).
    static func isTLSFailure(_ error: any Error) -> Bool { error is BackendTLSError }
}

/// Waits for the handshake, then checks the backend certificate's subject alt names (DNS
/// names, wildcards matching one label, and URIs) against the accepted names, and that the
/// backend selected the required application protocol. HTTP/2 over TLS is identified by
/// ALPN alone (RFC 9113 §3.2): a backend that does not select `h2` is not spoken to in
/// HTTP/2, and the exchange gets a 502 that says so rather than a protocol error.
final class BackendTLSVerifier: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let acceptedNames: [String]
    private let requiredProtocol: String?
    private let promise: EventLoopPromise<Void>
    private var finished = false
    var done: EventLoopFuture<Void> { promise.futureResult }

    init(acceptedNames: [String], requiredProtocol: String? = nil, promise: EventLoopPromise<Void>) {
        self.acceptedNames = acceptedNames
        self.requiredProtocol = requiredProtocol
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let selected) = event, !finished {
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
            let presented = certificate.map(Self.names(of:)) ?? []
            if !Self.matches(accepted: acceptedNames, presented: presented) {
                finish(.failure(BackendTLSError.nameMismatch(expected: acceptedNames, presented: presented)))
                context.close(promise: nil)
            } else if let requiredProtocol, selected != requiredProtocol {
                finish(.failure(BackendTLSError.applicationProtocol(offered: requiredProtocol, selected: selected)))
                context.close(promise: nil)
            } else {
                finish(.success(()))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(BackendTLSError.handshake("\(error)")))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(BackendTLSError.handshake("the backend closed the connection")))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(BackendTLSError.handshake("connection torn down")))
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }

    /// DNS and URI subject alt names of a certificate.
    static func names(of certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            guard name.nameType == .dnsName || name.nameType == .uri else { return nil }
            return String(decoding: Array(name.contents), as: UTF8.self)
        }
    }

    /// An accepted name matches a presented one exactly (case-insensitive), or a presented
    /// `*.suffix` matches an accepted hostname with exactly one more label.
    static func matches(accepted: [String], presented: [String]) -> Bool {
        accepted.contains { want in
            let want = want.lowercased()
            return presented.contains { have in
                let have = have.lowercased()
                if have == want { return true }
                guard have.hasPrefix("*."), !want.contains("://") else { return false }
                let suffix = have.dropFirst(1)
                guard want.hasSuffix(suffix) else { return false }
                let label = want.dropLast(suffix.count)
                return !label.isEmpty && !label.contains(".")
            }
        }
    }
}

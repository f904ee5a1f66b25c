import GatewayAPI
import NIOCore
import NIOTLS
import RoutingCore

/// How an accepted connection on a TLS or TCP listener port is set up (the layer-4
/// counterpart of `ListenerPipeline`):
///
/// - TCP: idle timer and the client's splice handler (which reads nothing until the backend
///   side is glued to it), then routed at once.
/// - TLS: idle timer, then the ClientHello is peeked (NIOTLS `SNIHandler` parses the TLS
///   record, the handshake message and its server_name extension without consuming
///   anything); the server name routes the connection among the TLSRoutes. A ClientHello
///   without SNI, or bytes that are not a ClientHello, route with no server name: only a
///   route accepting any hostname can take them (tlsroute_types.go, hostnames), else the
///   connection is closed. The buffered ClientHello then flows on to the backend
///   (Passthrough) or into the gateway's own TLS handler (Terminate).
enum StreamListener {
    static func configureTCP(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(allTimeout: runtime.config.clientIdleTimeout))
        // In place now, so that it holds reads until the backend side is glued to it.
        let clientSide = SpliceHandler()
        try sync.addHandler(clientSide)
        runtime.clientOpened(channel)
        _ = StreamSession.start(client: channel, runtime: runtime, listenerPort: listenerPort, protocol: .tcp, sni: nil,
                                clientSide: clientSide)
    }

    static func configureTLS(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(allTimeout: runtime.config.clientIdleTimeout))
        try sync.addHandler(TLSIdleCloser())
        try sync.addHandler(ByteToMessageHandler(SNIHandler { result in
            let sni: String?
            if case .hostname(let name) = result { sni = name } else { sni = nil }
            return startTLSSession(channel, runtime: runtime, listenerPort: listenerPort, sni: sni)
        }))
        runtime.clientOpened(channel)
    }

    /// After the SNI peek, on a TLS listener's port or an HTTPS port where a TLS listener
    /// takes the ClientHello: the splice decides about idleness from here.
    static func startTLSSession(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int, sni: String?) -> EventLoopFuture<Void> {
        if let closer = try? channel.pipeline.syncOperations.handler(type: TLSIdleCloser.self) {
            channel.pipeline.syncOperations.removeHandler(closer, promise: nil)
        }
        return StreamSession.start(client: channel, runtime: runtime, listenerPort: listenerPort, protocol: .tls, sni: sni)
    }
}

import GatewayAPI
import NIOCore
import NIOTLS
import RoutingCore

/// How an accepted connection on a TLS or TCP listener port is set up (the layer-4
/// counterpart of `ListenerPipeline`):
///
/// - TCP: idle timer, then routed at once (the server bootstrap leaves `autoRead` off on
///   these ports, so nothing is read before the backend connection is spliced in).
/// - TLS: idle timer, then the ClientHello is peeked (NIOTLS `SNIHandler` parses the TLS
///   record, the handshake message and its server_name extension without consuming
///   anything); the server name routes the connection among the TLSRoutes. A ClientHello
///   without SNI, or bytes that are not a ClientHello, route with no server name: only a
///   route accepting any hostname can take them (tlsroute_types.go, hostnames), else the
///   connection is closed. The buffered ClientHello then flows on to the backend
///   (Passthrough) or into the gateway's own TLS handler (Terminate).
enum StreamListener {
    static func configureTCP(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: runtime.config.clientIdleTimeout))
        runtime.clientOpened(channel)
        _ = StreamSession.start(client: channel, runtime: runtime, listenerPort: listenerPort, protocol: .tcp, sni: nil)
    }

    static func configureTLS(_ channel: any Channel, runtime: ProxyRuntime, listenerPort: Int) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(allTimeout: runtime.config.clientIdleTimeout))
        try sync.addHandler(TLSIdleCloser())
        try sync.addHandler(ByteToMessageHandler(SNIHandler { result in
            let sni: String?
            if case .hostname(let name) = result { sni = name } else { sni = nil }
            if let closer = try? channel.pipeline.syncOperations.handler(type: TLSIdleCloser.self) {
                channel.pipeline.syncOperations.removeHandler(closer, promise: nil)
            }
            return StreamSession.start(client: channel, runtime: runtime, listenerPort: listenerPort, protocol: .tls, sni: sni)
        }))
        runtime.clientOpened(channel)
    }
}

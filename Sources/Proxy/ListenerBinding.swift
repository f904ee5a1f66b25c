import NIOCore
import NIOPosix

/// The server bootstraps of the listener ports, one per `ListenerPortKind`.
enum ListenerBinding {

    /// HTTP, HTTPS, TLS and TCP ports. Layer-4 ports allow half-closed connections
    /// (`SpliceHandler`).
    static func stream(group: any EventLoopGroup, runtime: ProxyRuntime, listenerPort: Int, kind: ListenerPortKind) -> ServerBootstrap {
        let layer4 = kind == .tls || kind == .tcp
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: layer4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch kind {
                    case .http: try ListenerPipeline.configureHTTP(channel, runtime: runtime, listenerPort: listenerPort)
                    case .https: try ListenerPipeline.configureHTTPS(channel, runtime: runtime, listenerPort: listenerPort)
                    case .tls: try StreamListener.configureTLS(channel, runtime: runtime, listenerPort: listenerPort)
                    case .tcp, .udp: try StreamListener.configureTCP(channel, runtime: runtime, listenerPort: listenerPort)
                    }
                }
            }
    }

    /// A UDP port: one `DatagramForwarder` for every client of the port.
    static func datagram(group: any EventLoopGroup, runtime: ProxyRuntime, listenerPort: Int) -> DatagramBootstrap {
        let idle = runtime.config.udpFlowIdleTimeout
        return DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramForwarder(runtime: runtime, listenerPort: listenerPort, idleTimeout: idle))
                }
            }
    }
}

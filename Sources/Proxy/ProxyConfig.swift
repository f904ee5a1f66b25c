import NIOCore

/// How a `GatewayProxy` binds and where its backends are: everything that is not the
/// routing table. Plain data, so the CLI and the tests build it the same way.
public struct ProxyConfig: Sendable {
    /// The address every listener binds on. Loopback by default: a simulator should not
    /// open ports to the network unless asked to.
    public var listenHost: String
    /// Listener port (from the Gateway spec) -> local port to bind; 0 = ephemeral. Unmapped
    /// listener ports bind as written (8000 binds 8000). Routing always sees the spec port.
    public var portMap: [Int: Int]
    /// `namespace/name` of a Service -> endpoints that replace whatever EndpointSlices say
    /// (`--backend NS/NAME=HOST:PORT`, repeatable: several endpoints are round-robined).
    public var backendOverrides: [String: [Endpoint]]
    /// Event loop threads; the proxy is I/O bound, a few are plenty.
    public var eventLoopThreads: Int
    /// See `ProxyLimits`; configurable so tests can use short values.
    public var clientIdleTimeout: TimeAmount
    public var upstreamConnectTimeout: TimeAmount
    public var endpointEjection: TimeAmount
    public var drainTimeout: TimeAmount
    /// How long a UDP flow (one client address) lives without a datagram either way.
    public var udpFlowIdleTimeout: TimeAmount = ProxyLimits.udpFlowIdleTimeout
    /// See `ProxyLimits.requestHeadTimeout`.
    public var requestHeadTimeout: TimeAmount = ProxyLimits.requestHeadTimeout
    /// See `ProxyLimits.upstreamIdleTimeout` (pooled HTTP/1.1 and shared HTTP/2 backend connections).
    public var upstreamIdleTimeout: TimeAmount = ProxyLimits.upstreamIdleTimeout
    /// Largest request body, in bytes; nil for no limit (see `ProxyLimits.maxRequestBodyBytes`).
    public var maxRequestBodyBytes: Int? = ProxyLimits.maxRequestBodyBytes
    /// HTTP/1.1 requests without a body go the byte path (`FastPathHandler`); false sends
    /// every request through NIO's HTTP codec (`--no-byte-path`: a comparison, a fallback).
    public var bytePath = true

    public init(listenHost: String = "127.0.0.1", portMap: [Int: Int] = [:], backendOverrides: [String: [Endpoint]] = [:],
                eventLoopThreads: Int = 2, clientIdleTimeout: TimeAmount = ProxyLimits.clientIdleTimeout,
                upstreamConnectTimeout: TimeAmount = ProxyLimits.upstreamConnectTimeout,
                endpointEjection: TimeAmount = ProxyLimits.endpointEjection, drainTimeout: TimeAmount = ProxyLimits.drainTimeout) {
        precondition(eventLoopThreads > 0, "at least one event loop thread")
        self.listenHost = listenHost
        self.portMap = portMap
        self.backendOverrides = backendOverrides
        self.eventLoopThreads = eventLoopThreads
        self.clientIdleTimeout = clientIdleTimeout
        self.upstreamConnectTimeout = upstreamConnectTimeout
        self.endpointEjection = endpointEjection
        self.drainTimeout = drainTimeout
    }

    /// Parses `NS/NAME=HOST:PORT` (the `--backend` flag) into the override key and endpoint.
    public static func parseBackendOverride(_ text: String) -> (service: String, endpoint: Endpoint)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let service = String(text[..<equals])
        let parts = service.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              let endpoint = Endpoint(parsing: String(text[text.index(after: equals)...])) else { return nil }
        return (service, endpoint)
    }

    /// Parses `LISTENER=LOCAL` (the `--port-map` flag), e.g. `8000=18080` or `8000=0`.
    public static func parsePortMapping(_ text: String) -> (listener: Int, local: Int)? {
        let parts = text.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, let listener = Int(parts[0]), let local = Int(parts[1]),
              (1...65_535).contains(listener), (0...65_535).contains(local) else { return nil }
        return (listener, local)
    }
}

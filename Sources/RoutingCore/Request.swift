import GatewayAPI

/// A request as it reaches a Gateway: what routing may look at. Plain data, so
/// the replay engine and the proxy build it the same way.
public struct RouteRequest: Sendable, Hashable {
    /// The Gateway that received it; nil means "the Gateways with a listener on `port`",
    /// served as one when there are several (RoutingTable.merge).
    public var gateway: ObjectKey?
    /// The port the client connected to (the listener port).
    public var port: Int
    /// `http` or `https` (for TLS/TCP/UDP decisions: the listener protocol is used instead).
    public var scheme: String
    public var method: String
    /// The Host header (or `:authority`) as sent; a port suffix is ignored for matching.
    public var host: String
    /// Path with query string, as sent (e.g. `/foo?a=1`).
    public var path: String
    /// Headers in order; names as sent (matching is case-insensitive).
    public var headers: [HTTPHeader]
    /// TLS server name, for HTTPS listener selection and TLSRoute matching. For an HTTPS
    /// request, nil means not known (the Host is assumed, as a client connecting by name
    /// sends it) and "" means the client sent none (the live proxy records that).
    public var sni: String?

    /// `sni` for a request the live proxy read from a connection whose TLS server name
    /// it knows (`serverName`, nil when the client sent none): "" on HTTPS then, so that
    /// it reads as sent-none rather than unknown.
    public static func sni(scheme: String, serverName: String?) -> String? {
        scheme == "https" ? serverName ?? "" : serverName
    }

    /// The server name an HTTPS request's ClientHello carried (`sni`): the Host when
    /// unknown, nil when the client sent none.
    var clientHelloName: String? {
        guard let sni else { return host }
        return sni.isEmpty ? nil : sni
    }

    public init(gateway: ObjectKey? = nil, port: Int, scheme: String = "http", method: String = "GET",
                host: String, path: String = "/", headers: [HTTPHeader] = [], sni: String? = nil) {
        self.gateway = gateway
        self.port = port
        self.scheme = scheme
        self.method = method
        self.host = host
        self.path = path
        self.headers = headers
        self.sni = sni
    }
}

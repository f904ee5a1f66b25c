/// The synthetic traffic of a scenario: when requests arrive and what they look like.
///
/// Arrival is a Poisson process: inter-arrival times are exponential with mean `1/rate`.
/// Every choice (host, path, method, headers, query) is an independent weighted draw, so the
/// mix of a long trace converges to the weights written in the scenario. Clients arrive on
/// keep-alive connections (`ClientConnections`).
public struct TrafficModel: Sendable {
    /// Microseconds since the epoch of the first possible arrival.
    public var startMicros: Int64
    /// Mean requests per second.
    public var rate: Double
    /// Default request count (`gwsim generate --requests` overrides it).
    public var requests: Int
    public var hosts: [Weighted<String>]
    public var paths: [Weighted<Template>]
    public var methods: [Weighted<String>]
    public var headers: [HeaderSpec]
    /// One entry is picked by weight, then used with its probability (else no query).
    public var queries: [QuerySpec]
    public var scheme: String
    /// The listener port requests arrive on.
    public var port: Int
    /// `namespace/name` of the receiving Gateway, when the scenario pins one.
    public var gateway: String?
    /// Number of distinct client addresses.
    public var clients: Int
    /// Keep-alive connections open at once; each request goes out on one of them.
    public var connections: Int
    /// Requests a connection carries on average before its client opens a new one.
    public var requestsPerConnection: Int

    /// 2026-01-01T00:00:00Z: a fixed default, so a scenario without `start` is still deterministic.
    public static let defaultStartMicros: Int64 = 1_767_225_600_000_000
    public static let defaultRequests = 1000
    public static let defaultRate = 100.0
    /// Requests one scenario can ask for (`requests`, or `rate` x `duration`).
    public static let requestLimit = 1...1_000_000_000

    public init(startMicros: Int64 = TrafficModel.defaultStartMicros, rate: Double = TrafficModel.defaultRate,
                requests: Int = TrafficModel.defaultRequests, hosts: [Weighted<String>], paths: [Weighted<Template>],
                methods: [Weighted<String>] = [Weighted("GET", weight: 1)], headers: [HeaderSpec] = [],
                queries: [QuerySpec] = [], scheme: String = "http", port: Int = 80, gateway: String? = nil, clients: Int = 100,
                connections: Int = TrafficModel.defaultConnections, requestsPerConnection: Int = TrafficModel.defaultRequestsPerConnection) {
        self.startMicros = startMicros; self.rate = rate; self.requests = requests; self.hosts = hosts
        self.paths = paths; self.methods = methods; self.headers = headers; self.queries = queries
        self.scheme = scheme; self.port = port; self.gateway = gateway; self.clients = clients
        self.connections = connections; self.requestsPerConnection = requestsPerConnection
    }

    /// Browsers open about six connections per origin and a shared Gateway serves many
    /// clients at once; 32 open connections carrying 8 requests each keep the interleaving
    /// of a busy listener while a client address repeats as keep-alive makes it repeat.
    public static let defaultConnections = 32
    public static let defaultRequestsPerConnection = 8
}

/// A query string (without `?`), possibly with placeholders.
public struct QuerySpec: Sendable {
    public var query: Template
    public var weight: Double
    public var probability: Double
    public init(query: Template, weight: Double = 1, probability: Double = 1) {
        self.query = query; self.weight = weight; self.probability = probability
    }
}

import EventLog
import GatewayAPI
import NIOCore
import NIOHTTP1
import RoutingCore

/// One request/response exchange on a client connection: what was decided, where it is
/// going, how far each direction got, and the numbers the request record needs.
/// Owned by one `DownstreamHandler` and touched only on its event loop.
final class Exchange {
    let id: String
    let method: HTTPMethod
    /// The client's HTTP version; responses are framed for it.
    let version: HTTPVersion
    let started: NIODeadline
    /// What the request record is made of, kept as received: the record itself is only
    /// built by `observedRecord`, when someone records it.
    let request: Request
    /// Request/response progress and the completion rules (see `ExchangeProgress`).
    var progress: ExchangeProgress
    /// The routing decision: a plain request's is its route's, shared by every request the
    /// route took (`PlainRoutes`) rather than copied into each.
    var decision: Decision? {
        get { plainRoute?.decision ?? ownDecision }
        set { ownDecision = newValue }
    }
    private var ownDecision: Decision?
    var plainRoute: PlainRoutes.Route?
    /// The world that routed it (nil when answered before routing, e.g. 431).
    var epoch: RoutingEpoch?
    /// Taken from the decision when forwarding starts (see `ResponseEdits`).
    var responseEdits: ResponseEdits?
    var retryPolicy: RetryPolicy?
    var endpoint: Endpoint?
    /// TLS towards the backend (BackendTLSPolicy): a pooled connection is reused only if it made this handshake.
    var backendTLS: BackendTLSClient?
    /// The upstream head, kept so a request that hit a stale pooled connection can be retried.
    var upstreamHead: HTTPRequestHead?
    var upstream: UpstreamHandler?
    var upstreamFromPool = false
    /// The backend is spoken to in HTTP/2 (h2c, or h2 over TLS): a stream per exchange, see `HTTP2ConnectionPool`.
    var upstreamHTTP2 = false
    var retried = false
    /// Retries made under the route's retry policy, and whether the current backend answer
    /// is being dropped for one (see `RetryPolicy`).
    var policyRetries = 0
    var droppingAnswer = false
    /// Request parts read while the upstream connection is being opened.
    var buffered: [HTTPClientRequestPart] = []
    var status: Int?
    var bytesIn = 0
    var bytesOut = 0
    var timeout: Scheduled<Void>?
    /// Copies of this request to RequestMirror backends (best effort, never waited for).
    var mirrors: [MirrorSender] = []

    /// The request as it arrived, and where: the facts of its `RequestRecord`.
    struct Request {
        var head: HTTPRequestHead
        /// Client `ip:port`.
        var client: String
        var listenerPort: Int
        var scheme: String
        /// The Host header as routed ("" when absent).
        var host: String
        /// The header fields as routed (and recorded).
        var headers: [HTTPHeader]
        /// The TLS server name as routed (RouteRequest.sni), recorded so that replay
        /// weighs the same ClientHello.
        var sni: String?
    }

    init(id: String, keepAlive: Bool, request: consuming Request, started: NIODeadline = .now()) {
        self.id = id
        self.version = request.head.version
        self.method = request.head.method
        self.progress = ExchangeProgress(keepAlive: keepAlive)
        self.request = request
        self.started = started
    }

    /// The request record with what the proxy observed; route, rule and backend
    /// come from the decision, in the event log's conventions (`ns/name`, `Kind/ns/name`,
    /// `ns/name:port`).
    func observedRecord(now: NIODeadline = .now()) -> RequestRecord {
        let head = request.head
        var record = RequestRecord(id: id, client: request.client, port: request.listenerPort, scheme: request.scheme,
                                   method: head.method.rawValue, host: request.host, path: head.uri,
                                   headers: request.headers, sni: request.sni)
        let names = plainRoute?.recordedNames ?? decision.map(RecordedNames.init) ?? RecordedNames()
        let latency = Double((now - started).nanoseconds) / 1_000_000
        record.observed = ObservedOutcome(route: names.route, rule: names.rule, backend: names.backend,
                                          endpoint: endpoint.map { plainRoute?.description(of: $0) ?? $0.description }, status: status,
                                          latencyMs: latency, bytesIn: bytesIn, bytesOut: bytesOut)
        return record
    }
}

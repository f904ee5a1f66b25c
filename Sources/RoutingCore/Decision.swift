import GatewayAPI

/// Everything the routing core decided for one request: which listener and
/// route rule won, what happens (forward, redirect, or an error status), the
/// weighted backend choice with every candidate, and the request as the backend
/// receives it. Replay diffs two of these; the proxy acts on one.
public struct Decision: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// Sent to `backend`.
        case forward
        /// Answered with `redirect`.
        case redirect
        /// Answered by the gateway itself with a success status: a CORS preflight.
        case respond
        /// Answered with an error `status` (404 no route, 500 invalid backend, ...).
        case error
    }

    public var listener: ListenerRef?
    public var route: RuleRef?
    public var outcome: Outcome
    /// The HTTP status for redirect, respond and error outcomes; nil when forwarding.
    public var status: Int?
    /// Why an error outcome happened, in words (e.g. "no route matches").
    public var reason: String?
    /// The backend chosen for this key; nil unless forwarding.
    public var backend: BackendRef?
    /// Every weighted candidate of the winning rule, in rule order.
    public var backends: [WeightedBackend]
    /// The request as the backend would receive it (after filters).
    public var request: ForwardedRequest
    public var redirect: Redirect?
    /// Response header changes to apply to the backend's response (set, add, remove, in that order).
    public var responseHeaders: HeaderModifier
    public var mirrors: [Mirror]
    public var timeouts: Timeouts
    /// The rule's retry policy (httproute_types.go HTTPRouteRetry): the proxy retries a
    /// backend answer with one of its codes, up to `attempts` more times.
    public var retry: HTTPRouteRetry?
    /// CORS handling of this request, when the rule has a CORS filter.
    public var cors: CORSResult?
    /// TLS from the gateway to the chosen backend, when a BackendTLSPolicy applies.
    public var backendTLS: BackendTLS?
    /// The matches that were considered, in precedence order, with why each lost (text output).
    public var candidates: [Candidate]

    public init(listener: ListenerRef? = nil, route: RuleRef? = nil, outcome: Outcome, status: Int? = nil,
                reason: String? = nil, backend: BackendRef? = nil, backends: [WeightedBackend] = [],
                request: ForwardedRequest, redirect: Redirect? = nil, responseHeaders: HeaderModifier = HeaderModifier(),
                mirrors: [Mirror] = [], timeouts: Timeouts = Timeouts(), cors: CORSResult? = nil, candidates: [Candidate] = []) {
        self.listener = listener
        self.route = route
        self.outcome = outcome
        self.status = status
        self.reason = reason
        self.backend = backend
        self.backends = backends
        self.request = request
        self.redirect = redirect
        self.responseHeaders = responseHeaders
        self.mirrors = mirrors
        self.timeouts = timeouts
        self.cors = cors
        self.candidates = candidates
    }
}

/// The listener a request was assigned to.
public struct ListenerRef: Sendable, Hashable, CustomStringConvertible {
    public var gateway: ObjectKey
    public var name: String
    public var port: Int
    /// `namespace/name` of the ListenerSet that contributed the listener, if any.
    public var listenerSet: String?
    public init(gateway: ObjectKey, name: String, port: Int, listenerSet: String? = nil) {
        self.gateway = gateway
        self.name = name
        self.port = port
        self.listenerSet = listenerSet
    }
    public var description: String {
        "\(gateway.namespace)/\(gateway.name)/" + (listenerSet.map { "listenerset/\($0)/" } ?? "") + name
    }
}

/// A stable identity for a route rule match: `httproute/<ns>/<name>/rule/<i>/match/<j>`.
public struct RuleRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String
    public var rule: Int
    public var ruleName: String?
    /// The match index within the rule; nil for kinds without matches (TCP, UDP, TLS).
    public var match: Int?

    public init(kind: String, namespace: String, name: String, rule: Int, ruleName: String? = nil, match: Int? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.rule = rule
        self.ruleName = ruleName
        self.match = match
    }

    public var description: String {
        var text = "\(kind.lowercased())/\(namespace)/\(name)/rule/\(rule)"
        if let match { text += "/match/\(match)" }
        return text
    }

    /// The rule without its match index (reports group by rule).
    public var ruleOnly: RuleRef { RuleRef(kind: kind, namespace: namespace, name: name, rule: rule, ruleName: ruleName) }

    public static func < (a: RuleRef, b: RuleRef) -> Bool {
        (a.kind, a.namespace, a.name, a.rule, a.match ?? -1) < (b.kind, b.namespace, b.name, b.rule, b.match ?? -1)
    }
}

/// A backend (usually a Service port).
public struct BackendRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var group: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var port: Int?
    public init(group: String = "", kind: String = "Service", namespace: String, name: String, port: Int?) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.port = port
    }
    public var description: String { "\(namespace)/\(name)" + (port.map { ":\($0)" } ?? "") }
    public static func < (a: BackendRef, b: BackendRef) -> Bool {
        (a.namespace, a.name, a.port ?? 0, a.kind) < (b.namespace, b.name, b.port ?? 0, b.kind)
    }
}

/// One weighted candidate of a rule.
public struct WeightedBackend: Sendable, Hashable {
    public var backend: BackendRef
    public var weight: Int
    /// weight / sum of weights of the rule (0 when every weight is 0).
    public var share: Double
    /// False when the ref does not resolve; requests that pick it get HTTP 500.
    public var valid: Bool
    /// Why it is invalid (the ResolvedRefs reason, e.g. BackendNotFound).
    public var invalidReason: String?
    public init(backend: BackendRef, weight: Int, share: Double, valid: Bool, invalidReason: String? = nil) {
        self.backend = backend
        self.weight = weight
        self.share = share
        self.valid = valid
        self.invalidReason = invalidReason
    }
}

/// The request as the backend sees it. Header names are lower-cased; repeated
/// headers keep their order.
public struct ForwardedRequest: Sendable, Hashable {
    public var method: String
    public var scheme: String
    public var host: String
    public var path: String
    public var headers: [HTTPHeader]
    public init(method: String, scheme: String, host: String, path: String, headers: [HTTPHeader]) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.headers = headers
    }

    var asRouteRequest: RouteRequest {
        RouteRequest(port: 0, scheme: scheme, method: method, host: host, path: path, headers: headers)
    }

    /// Values of one header (case-insensitive name), joined with ", " as HTTP allows.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        let values = headers.filter { $0.name.lowercased() == lower }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// A redirect response.
public struct Redirect: Sendable, Hashable {
    public var status: Int
    public var location: String
    public init(status: Int, location: String) {
        self.status = status
        self.location = location
    }
}

/// A mirror of the request to another backend (fire and forget).
public struct Mirror: Sendable, Hashable {
    public var backend: BackendRef
    /// The share of requests mirrored, 0...1.
    public var share: Double
    /// Whether this request (by its key) is among the mirrored share.
    public var selected: Bool
    public var valid: Bool
    public init(backend: BackendRef, share: Double, selected: Bool, valid: Bool) {
        self.backend = backend
        self.share = share
        self.selected = selected
        self.valid = valid
    }
}

/// Timeouts in seconds; nil = not set, 0 = disabled.
public struct Timeouts: Sendable, Hashable {
    public var request: Double?
    public var backendRequest: Double?
    public init(request: Double? = nil, backendRequest: Double? = nil) {
        self.request = request
        self.backendRequest = backendRequest
    }
}

/// What the CORS filter does with this request.
public struct CORSResult: Sendable, Hashable {
    /// True for a preflight (OPTIONS with Origin and Access-Control-Request-Method) answered by the gateway.
    public var preflight: Bool
    /// Whether the Origin is allowed; the response headers are empty when not.
    public var allowed: Bool
    /// The `Access-Control-*` headers added to the response.
    public var headers: [HTTPHeader]
    public init(preflight: Bool, allowed: Bool, headers: [HTTPHeader]) {
        self.preflight = preflight
        self.allowed = allowed
        self.headers = headers
    }
}

/// TLS towards a backend (BackendTLSPolicy): the SNI sent and the names verified.
public struct BackendTLS: Sendable, Hashable {
    /// `namespace/name` of the policy.
    public var policy: String
    public var sni: String
    /// Names the backend certificate must carry (the SNI when empty).
    public var subjectAltNames: [String]
    /// The CA bundles trusted, as `Kind/name` in the policy's namespace.
    public var caCertificateRefs: [String]
    public init(policy: String, sni: String, subjectAltNames: [String], caCertificateRefs: [String] = []) {
        self.policy = policy
        self.sni = sni
        self.subjectAltNames = subjectAltNames
        self.caCertificateRefs = caCertificateRefs
    }
}

/// A match that was considered for the request, for explanations.
public struct Candidate: Sendable, Hashable {
    public var rule: RuleRef
    /// The hostname of the route that matched the request host.
    public var hostname: String
    /// A short description of the match (`PathPrefix /v2, header version=two`).
    public var summary: String
    /// nil for the winner; otherwise why it lost.
    public var lostBecause: String?
    public init(rule: RuleRef, hostname: String, summary: String, lostBecause: String?) {
        self.rule = rule
        self.hostname = hostname
        self.summary = summary
        self.lostBecause = lostBecause
    }
}

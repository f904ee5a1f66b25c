/// `HTTPRoute` (apis/v1/httproute_types.go), with API-server defaults applied:
/// a rule without matches holds one `PathPrefix /` match, a match without a path
/// gets `PathPrefix /`, header and query matches default to `Exact`, backend refs
/// default to group "" / kind Service / weight 1.
public struct HTTPRoute: Sendable, Hashable {
    public var meta: ObjectMeta
    public var parentRefs: [ParentReference]
    public var hostnames: [String]
    public var rules: [HTTPRouteRule]

    public init(meta: ObjectMeta, parentRefs: [ParentReference], hostnames: [String] = [], rules: [HTTPRouteRule]) {
        self.meta = meta
        self.parentRefs = parentRefs
        self.hostnames = hostnames
        self.rules = rules
    }
}

/// `HTTPRouteRule`.
public struct HTTPRouteRule: Sendable, Hashable {
    public var name: String?
    public var matches: [HTTPRouteMatch]
    public var filters: [HTTPRouteFilter]
    public var backendRefs: [HTTPBackendRef]
    public var timeouts: HTTPRouteTimeouts?
    public var retry: HTTPRouteRetry?
    /// Session persistence is accepted and shown but does not change a decision.
    public var sessionPersistence: SessionPersistence?

    public init(name: String? = nil, matches: [HTTPRouteMatch] = [HTTPRouteMatch()], filters: [HTTPRouteFilter] = [],
                backendRefs: [HTTPBackendRef] = [], timeouts: HTTPRouteTimeouts? = nil,
                retry: HTTPRouteRetry? = nil, sessionPersistence: SessionPersistence? = nil) {
        self.name = name
        self.matches = matches
        self.filters = filters
        self.backendRefs = backendRefs
        self.timeouts = timeouts
        self.retry = retry
        self.sessionPersistence = sessionPersistence
    }
}

/// `HTTPRouteMatch`: all of its conditions must hold (AND).
public struct HTTPRouteMatch: Sendable, Hashable {
    public var path: HTTPPathMatch
    public var headers: [HTTPHeaderMatch]
    public var queryParams: [HTTPQueryParamMatch]
    public var method: String?

    /// The values `method` may take (httproute_types.go, HTTPMethod): RFC 9110's methods
    /// and PATCH, upper-case as they are sent.
    public static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    public init(path: HTTPPathMatch = HTTPPathMatch(), headers: [HTTPHeaderMatch] = [],
                queryParams: [HTTPQueryParamMatch] = [], method: String? = nil) {
        self.path = path
        self.headers = headers
        self.queryParams = queryParams
        self.method = method
    }
}

/// `PathMatchType`.
public enum PathMatchType: String, Sendable, Hashable {
    case exact = "Exact"
    case pathPrefix = "PathPrefix"
    case regularExpression = "RegularExpression"
}

/// `HTTPPathMatch`; defaults to `PathPrefix /`.
public struct HTTPPathMatch: Sendable, Hashable {
    public var type: PathMatchType
    public var value: String
    public init(type: PathMatchType = .pathPrefix, value: String = "/") {
        self.type = type
        self.value = value
    }
}

/// Exact or RegularExpression, shared by header and query-parameter matches.
public enum ValueMatchType: String, Sendable, Hashable {
    case exact = "Exact"
    case regularExpression = "RegularExpression"
}

/// `HTTPHeaderMatch`. Header names compare case-insensitively.
public struct HTTPHeaderMatch: Sendable, Hashable {
    public var type: ValueMatchType
    public var name: String
    public var value: String
    public init(type: ValueMatchType = .exact, name: String, value: String) {
        self.type = type
        self.name = name
        self.value = value
    }
}

/// `HTTPQueryParamMatch`. Query parameter names compare exactly (case-sensitive).
public struct HTTPQueryParamMatch: Sendable, Hashable {
    public var type: ValueMatchType
    public var name: String
    public var value: String
    public init(type: ValueMatchType = .exact, name: String, value: String) {
        self.type = type
        self.name = name
        self.value = value
    }
}

/// `HTTPBackendRef`: a backend with a weight and backend-level filters.
public struct HTTPBackendRef: Sendable, Hashable {
    public var ref: BackendObjectReference
    /// 0...1,000,000; default 1.
    public var weight: Int
    public var filters: [HTTPRouteFilter]
    public init(ref: BackendObjectReference, weight: Int = 1, filters: [HTTPRouteFilter] = []) {
        self.ref = ref
        self.weight = weight
        self.filters = filters
    }
}

/// `HTTPRouteTimeouts`, in seconds. 0 means "disabled".
public struct HTTPRouteTimeouts: Sendable, Hashable {
    public var request: Double?
    public var backendRequest: Double?
    public init(request: Double? = nil, backendRequest: Double? = nil) {
        self.request = request
        self.backendRequest = backendRequest
    }
}

/// `HTTPRouteRetry`.
public struct HTTPRouteRetry: Sendable, Hashable {
    public var codes: [Int]
    public var attempts: Int?
    /// Seconds.
    public var backoff: Double?
    public init(codes: [Int] = [], attempts: Int? = nil, backoff: Double? = nil) {
        self.codes = codes
        self.attempts = attempts
        self.backoff = backoff
    }
}

/// `SessionPersistence`, kept for display.
public struct SessionPersistence: Sendable, Hashable {
    public var sessionName: String?
    public var type: String
    public init(sessionName: String? = nil, type: String = "Cookie") {
        self.sessionName = sessionName
        self.type = type
    }
}

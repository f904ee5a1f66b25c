/// `HTTPRouteFilter`: one filter of a rule or of a backend ref.
public enum HTTPRouteFilter: Sendable, Hashable {
    case requestHeaderModifier(HeaderModifier)
    case responseHeaderModifier(HeaderModifier)
    case requestRedirect(RequestRedirect)
    case urlRewrite(URLRewrite)
    case requestMirror(RequestMirror)
    case cors(CORSPolicy)
    case externalAuth(BackendObjectReference)
    case extensionRef(LocalObjectReference)

    /// The filter's `type` as written in YAML.
    public var typeName: String {
        switch self {
        case .requestHeaderModifier: "RequestHeaderModifier"
        case .responseHeaderModifier: "ResponseHeaderModifier"
        case .requestRedirect: "RequestRedirect"
        case .urlRewrite: "URLRewrite"
        case .requestMirror: "RequestMirror"
        case .cors: "CORS"
        case .externalAuth: "ExternalAuth"
        case .extensionRef: "ExtensionRef"
        }
    }
}

/// `HTTPHeader`: a name/value pair.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `HTTPHeaderFilter`: set (replace), add (append), remove, applied in that order.
public struct HeaderModifier: Sendable, Hashable {
    public var set: [HTTPHeader]
    public var add: [HTTPHeader]
    public var remove: [String]
    public init(set: [HTTPHeader] = [], add: [HTTPHeader] = [], remove: [String] = []) {
        self.set = set
        self.add = add
        self.remove = remove
    }
}

/// `HTTPPathModifier`.
public enum PathModifier: Sendable, Hashable {
    case replaceFullPath(String)
    case replacePrefixMatch(String)
}

/// `HTTPRequestRedirectFilter`; `statusCode` defaults to 302.
public struct RequestRedirect: Sendable, Hashable {
    public var scheme: String?
    public var hostname: String?
    public var path: PathModifier?
    public var port: Int?
    public var statusCode: Int
    public init(scheme: String? = nil, hostname: String? = nil, path: PathModifier? = nil, port: Int? = nil, statusCode: Int = 302) {
        self.scheme = scheme
        self.hostname = hostname
        self.path = path
        self.port = port
        self.statusCode = statusCode
    }
}

/// `HTTPURLRewriteFilter`.
public struct URLRewrite: Sendable, Hashable {
    public var hostname: String?
    public var path: PathModifier?
    public init(hostname: String? = nil, path: PathModifier? = nil) {
        self.hostname = hostname
        self.path = path
    }
}

/// `HTTPRequestMirrorFilter`. The share of requests mirrored is `percent`/100 or
/// `fraction`; with neither, every request is mirrored.
public struct RequestMirror: Sendable, Hashable {
    public var backendRef: BackendObjectReference
    public var percent: Int?
    public var fraction: (numerator: Int, denominator: Int)? {
        get { fractionParts.map { ($0[0], $0[1]) } }
        set { fractionParts = newValue.map { [$0.numerator, $0.denominator] } }
    }
    private var fractionParts: [Int]?

    public init(backendRef: BackendObjectReference, percent: Int? = nil, fraction: (numerator: Int, denominator: Int)? = nil) {
        self.backendRef = backendRef
        self.percent = percent
        self.fractionParts = fraction.map { [$0.numerator, $0.denominator] }
    }

    /// The share of requests mirrored, 0...1.
    public var share: Double {
        if let percent { return Double(percent) / 100 }
        if let fraction, fraction.denominator > 0 { return Double(fraction.numerator) / Double(fraction.denominator) }
        return 1
    }
}

/// `HTTPCORSFilter`.
public struct CORSPolicy: Sendable, Hashable {
    public var allowOrigins: [String]
    public var allowCredentials: Bool
    public var allowMethods: [String]
    public var allowHeaders: [String]
    public var exposeHeaders: [String]
    /// Seconds; the API default is 5.
    public var maxAge: Int
    public init(allowOrigins: [String] = [], allowCredentials: Bool = false, allowMethods: [String] = [],
                allowHeaders: [String] = [], exposeHeaders: [String] = [], maxAge: Int = 5) {
        self.allowOrigins = allowOrigins
        self.allowCredentials = allowCredentials
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
        self.maxAge = maxAge
    }
}

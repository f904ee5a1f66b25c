/// `Gateway` (apis/v1/gateway_types.go).
public struct Gateway: Sendable, Hashable {
    public var meta: ObjectMeta
    public var gatewayClassName: String
    public var listeners: [Listener]
    public var addresses: [GatewayAddress]
    public var infrastructure: GatewayInfrastructure?
    /// `spec.tls.backend.clientCertificateRef`: the certificate the Gateway presents to backends.
    public var backendClientCertificateRef: SecretObjectReference?
    /// `spec.tls.frontend`: client-certificate validation, by default and per port.
    public var frontendValidation: [FrontendValidation]
    /// `spec.allowedListeners.namespaces`: which ListenerSets may attach (default none).
    public var allowedListeners: AllowedListeners

    public init(meta: ObjectMeta, gatewayClassName: String, listeners: [Listener],
                addresses: [GatewayAddress] = [], infrastructure: GatewayInfrastructure? = nil,
                backendClientCertificateRef: SecretObjectReference? = nil,
                frontendValidation: [FrontendValidation] = [], allowedListeners: AllowedListeners = .none) {
        self.meta = meta
        self.gatewayClassName = gatewayClassName
        self.listeners = listeners
        self.addresses = addresses
        self.infrastructure = infrastructure
        self.backendClientCertificateRef = backendClientCertificateRef
        self.frontendValidation = frontendValidation
        self.allowedListeners = allowedListeners
    }
}

/// `GatewaySpecAddress`: a requested address (type IPAddress, Hostname or a domain-prefixed type).
public struct GatewayAddress: Sendable, Hashable {
    public var type: String
    public var value: String
    public init(type: String = "IPAddress", value: String) {
        self.type = type
        self.value = value
    }
}

extension GatewayAddress {
    /// What a Hostname address's value may be (GatewaySpecAddress CEL).
    public static func isHostnameValue(_ text: String) -> Bool { StringRule.hostname.check(text) }
}

/// `GatewayInfrastructure`: labels and annotations to copy to generated resources.
public struct GatewayInfrastructure: Sendable, Hashable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var parametersRef: LocalObjectReference?
    public init(labels: [String: String] = [:], annotations: [String: String] = [:], parametersRef: LocalObjectReference? = nil) {
        self.labels = labels
        self.annotations = annotations
        self.parametersRef = parametersRef
    }
}

/// One `spec.tls.frontend` validation entry: `port` nil for `default`.
public struct FrontendValidation: Sendable, Hashable {
    public var port: Int?
    public var caCertificateRefs: [BackendObjectReference]
    /// `AllowValidOnly` (the default) or `AllowInsecureFallback`.
    public var mode: String
    public init(port: Int?, caCertificateRefs: [BackendObjectReference], mode: String = "AllowValidOnly") {
        self.port = port
        self.caCertificateRefs = caCertificateRefs
        self.mode = mode
    }
}

/// Listener protocols the core knows (`ProtocolType`); anything else is kept
/// verbatim so that status can report it as `UnsupportedProtocol`.
public enum ListenerProtocol: Hashable, Sendable, CustomStringConvertible {
    case http, https, tls, tcp, udp
    case other(String)

    public init(_ raw: String) {
        switch raw {
        case "HTTP": self = .http
        case "HTTPS": self = .https
        case "TLS": self = .tls
        case "TCP": self = .tcp
        case "UDP": self = .udp
        default: self = .other(raw)
        }
    }

    public var description: String {
        switch self {
        case .http: "HTTP"
        case .https: "HTTPS"
        case .tls: "TLS"
        case .tcp: "TCP"
        case .udp: "UDP"
        case .other(let raw): raw
        }
    }
}

/// `Listener`: one port/protocol/hostname a Gateway accepts traffic on.
public struct Listener: Sendable, Hashable {
    public var name: String
    /// nil means "any hostname".
    public var hostname: String?
    public var port: Int
    public var `protocol`: ListenerProtocol
    public var tls: ListenerTLS?
    public var allowedRoutes: AllowedRoutes

    public init(name: String, hostname: String? = nil, port: Int, protocol: ListenerProtocol,
                tls: ListenerTLS? = nil, allowedRoutes: AllowedRoutes = AllowedRoutes()) {
        self.name = name
        self.hostname = hostname
        self.port = port
        self.protocol = `protocol`
        self.tls = tls
        self.allowedRoutes = allowedRoutes
    }
}

/// `ListenerTLSConfig`.
public struct ListenerTLS: Sendable, Hashable {
    public enum Mode: String, Sendable { case terminate = "Terminate", passthrough = "Passthrough" }
    public var mode: Mode
    public var certificateRefs: [SecretObjectReference]
    public var options: [String: String]
    public init(mode: Mode = .terminate, certificateRefs: [SecretObjectReference] = [], options: [String: String] = [:]) {
        self.mode = mode
        self.certificateRefs = certificateRefs
        self.options = options
    }
}

/// `RouteGroupKind`; group defaults to `gateway.networking.k8s.io`.
public struct RouteGroupKind: Sendable, Hashable, Comparable {
    public var group: String
    public var kind: String
    public init(group: String = gatewayGroup, kind: String) {
        self.group = group
        self.kind = kind
    }
    public static func < (a: RouteGroupKind, b: RouteGroupKind) -> Bool { (a.group, a.kind) < (b.group, b.kind) }
}

/// `AllowedRoutes`: which routes may attach to a listener.
public struct AllowedRoutes: Sendable, Hashable {
    public enum From: Sendable, Hashable {
        case all, same
        case selector(LabelSelector)
    }
    /// `namespaces.from` (default Same) with its selector.
    public var from: From
    /// `kinds`; empty means "the kinds the listener's protocol supports".
    public var kinds: [RouteGroupKind]
    /// v1alpha1 only: `listeners[].routes.selector`, a label selector on the routes
    /// themselves (the seed article's `app: traefik`). nil in every later version.
    public var routeSelector: LabelSelector?

    public init(from: From = .same, kinds: [RouteGroupKind] = [], routeSelector: LabelSelector? = nil) {
        self.from = from
        self.kinds = kinds
        self.routeSelector = routeSelector
    }
}

/// `Namespace`: only its labels matter (listener `allowedRoutes` selectors).
public struct Namespace: Sendable, Hashable {
    public var meta: ObjectMeta
    public init(meta: ObjectMeta) { self.meta = meta }
}

/// `Service`: its ports (with appProtocol), its type, and ExternalName.
public struct Service: Sendable, Hashable {
    public struct Port: Sendable, Hashable {
        public var name: String?
        public var port: Int
        public var `protocol`: String
        public var appProtocol: String?
        /// `targetPort` as written (number or name), when present.
        public var targetPort: String?
        public init(name: String? = nil, port: Int, protocol: String = "TCP", appProtocol: String? = nil, targetPort: String? = nil) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
            self.appProtocol = appProtocol
            self.targetPort = targetPort
        }
    }

    public var meta: ObjectMeta
    /// ClusterIP (default), NodePort, LoadBalancer or ExternalName.
    public var type: String
    public var ports: [Port]
    public var externalName: String?
    /// `spec.clusterIP`; "None" for a headless Service.
    public var clusterIP: String?
    public var selector: [String: String]

    public init(meta: ObjectMeta, type: String = "ClusterIP", ports: [Port] = [], externalName: String? = nil,
                clusterIP: String? = nil, selector: [String: String] = [:]) {
        self.meta = meta
        self.type = type
        self.ports = ports
        self.externalName = externalName
        self.clusterIP = clusterIP
        self.selector = selector
    }
}

/// `EndpointSlice` (discovery.k8s.io/v1): the addresses behind a Service.
public struct EndpointSlice: Sendable, Hashable {
    public struct Endpoint: Sendable, Hashable {
        public var addresses: [String]
        public var ready: Bool
        public init(addresses: [String], ready: Bool = true) {
            self.addresses = addresses
            self.ready = ready
        }
    }
    public struct Port: Sendable, Hashable {
        public var name: String?
        public var port: Int?
        public var `protocol`: String
        public var appProtocol: String?
        public init(name: String? = nil, port: Int? = nil, protocol: String = "TCP", appProtocol: String? = nil) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
            self.appProtocol = appProtocol
        }
    }

    public var meta: ObjectMeta
    /// From the `kubernetes.io/service-name` label.
    public var serviceName: String?
    public var addressType: String
    public var endpoints: [Endpoint]
    public var ports: [Port]

    public init(meta: ObjectMeta, serviceName: String?, addressType: String = "IPv4", endpoints: [Endpoint] = [], ports: [Port] = []) {
        self.meta = meta
        self.serviceName = serviceName
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }
}

/// `Secret`: gwsim only needs to know whether a listener's certificate is usable.
public struct Secret: Sendable, Hashable {
    public var meta: ObjectMeta
    public var type: String
    /// The keys present under `data` or `stringData`.
    public var dataKeys: Set<String>
    /// True when `tls.crt` looks like a PEM certificate and `tls.key` like a PEM key.
    public var hasValidTLSPair: Bool
    /// `data` values (base64-decoded when possible) kept for the proxy's TLS setup.
    public var data: [String: String]

    public init(meta: ObjectMeta, type: String = "Opaque", dataKeys: Set<String> = [], hasValidTLSPair: Bool = false, data: [String: String] = [:]) {
        self.meta = meta
        self.type = type
        self.dataKeys = dataKeys
        self.hasValidTLSPair = hasValidTLSPair
        self.data = data
    }
}

/// `ConfigMap`: only used as a CA bundle holder (`ca.crt`).
public struct ConfigMap: Sendable, Hashable {
    public var meta: ObjectMeta
    public var data: [String: String]
    public init(meta: ObjectMeta, data: [String: String] = [:]) {
        self.meta = meta
        self.data = data
    }
}

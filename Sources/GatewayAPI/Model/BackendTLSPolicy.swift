/// `BackendTLSPolicy` (apis/v1/backendtlspolicy_types.go): how the Gateway
/// speaks TLS to a Service: the SNI and name to verify (`hostname`), the CA
/// bundles to trust, and optional subject alt names.
public struct BackendTLSPolicy: Sendable, Hashable {
    /// `LocalPolicyTargetReferenceWithSectionName`: a Service (by default) in the
    /// policy's namespace, optionally one port of it by name.
    public struct TargetRef: Sendable, Hashable {
        public var group: String
        public var kind: String
        public var name: String
        public var sectionName: String?
        public init(group: String = "", kind: String = "Service", name: String, sectionName: String? = nil) {
            self.group = group
            self.kind = kind
            self.name = name
            self.sectionName = sectionName
        }
    }

    /// `SubjectAltName`: a DNS name (`Hostname`) or a URI.
    public struct SubjectAltName: Sendable, Hashable {
        public var type: String
        public var value: String
        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    public var meta: ObjectMeta
    public var targetRefs: [TargetRef]
    public var caCertificateRefs: [LocalObjectReference]
    /// `System` or nil.
    public var wellKnownCACertificates: String?
    public var hostname: String
    public var subjectAltNames: [SubjectAltName]

    public init(meta: ObjectMeta, targetRefs: [TargetRef], caCertificateRefs: [LocalObjectReference] = [],
                wellKnownCACertificates: String? = nil, hostname: String, subjectAltNames: [SubjectAltName] = []) {
        self.meta = meta
        self.targetRefs = targetRefs
        self.caCertificateRefs = caCertificateRefs
        self.wellKnownCACertificates = wellKnownCACertificates
        self.hostname = hostname
        self.subjectAltNames = subjectAltNames
    }
}

import GatewayAPI
import NIOConcurrencyHelpers
import NIOSSL
import RoutingCore

/// The CA bundles BackendTLSPolicies may reference (ConfigMaps, and Secrets, holding
/// `ca.crt`), from the world's resource snapshot, and the client TLS contexts built from
/// them. Swapped with the routing table (part of `ProxyWorld`), so a rotated CA applies to
/// the next connection.
///
/// backendtlspolicy_types.go: the gateway connects with TLS, sends `hostname` as SNI,
/// and authenticates the backend certificate against `caCertificateRefs` (or the
/// `wellKnownCACertificates: System` roots when there are none), matching `hostname`,
/// or, when `subjectAltNames` are given, one of them instead (Hostname or URI).
/// A Gateway with `spec.tls.backend.clientCertificateRef` (gateway_types.go,
/// GatewayBackendTLS) presents that Secret's certificate on these connections.
public struct BackendTLSTrust: Sendable {
    /// `namespace/Kind/name` -> PEM bundle.
    private let bundles: [String: String]
    /// Gateway -> its backend client certificate (chain and key PEM).
    private let clientCertificates: [ObjectKey: (certificatePEM: String, keyPEM: String)]
    private let cache = ContextCache()

    public init() {
        bundles = [:]
        clientCertificates = [:]
    }

    public init(resources: ResourceSet) {
        var bundles: [String: String] = [:]
        for map in resources.configMaps {
            if let pem = map.data["ca.crt"] { bundles["\(map.meta.namespace)/ConfigMap/\(map.meta.name)"] = pem }
        }
        for secret in resources.secrets {
            if let pem = secret.data["ca.crt"] { bundles["\(secret.meta.namespace)/Secret/\(secret.meta.name)"] = pem }
        }
        self.bundles = bundles
        var clientCertificates: [ObjectKey: (certificatePEM: String, keyPEM: String)] = [:]
        for gateway in resources.gateways {
            // Same namespace only: a cross-namespace Secret needs a ReferenceGrant, which the
            // routing core checks for status; the proxy does not present such a certificate.
            guard let ref = gateway.backendClientCertificateRef, ref.group == "" || ref.group == "core", ref.kind == "Secret",
                  (ref.namespace ?? gateway.meta.namespace) == gateway.meta.namespace,
                  case .secret(let secret)? = resources[ObjectKey(kind: "Secret", namespace: gateway.meta.namespace, name: ref.name)],
                  let certificate = secret.data["tls.crt"], let key = secret.data["tls.key"] else { continue }
            clientCertificates[ObjectKey(kind: "Gateway", namespace: gateway.meta.namespace, name: gateway.meta.name)] = (certificate, key)
        }
        self.clientCertificates = clientCertificates
    }

    /// The client side of the handshake a decision asks for, or why it cannot be made
    /// (then the request fails with 502, as a backend that fails verification would).
    /// - Parameters:
    ///   - gateway: the Gateway the request came through (its client certificate).
    ///   - http2: the exchange speaks HTTP/2 to the backend: the handshake offers only
    ///     `h2` (RFC 9113 §3.2), else only `http/1.1`.
    func client(for tls: BackendTLS, gateway: ObjectKey? = nil, http2: Bool = false) -> Result<BackendTLSClient, BackendTLSError> {
        let namespace = tls.policy.split(separator: "/").first.map(String.init) ?? ""
        let names = tls.subjectAltNames.isEmpty ? [tls.sni] : tls.subjectAltNames
        let clientCertificate = gateway.flatMap { clientCertificates[$0] }
        let protocols = http2 ? ["h2"] : ["http/1.1"]
        let cacheKey = namespace + "|" + tls.caCertificateRefs.joined(separator: ",") + "|" + (clientCertificate == nil ? "" : gateway!.description)
            + "|" + protocols[0]
        let clientKey = cacheKey + "|" + tls.policy + "|" + tls.sni + "|" + names.joined(separator: ",")
        if let client = cache.client(clientKey) { return .success(client) }
        func client(_ context: NIOSSLContext) -> BackendTLSClient {
            cache.put(clientKey, BackendTLSClient(context: context, serverName: tls.sni, acceptedNames: names,
                                                  applicationProtocol: protocols[0], policy: tls.policy))
        }
        if let context = cache.context(cacheKey) { return .success(client(context)) }
        var trust: NIOSSLTrustRoots = .default
        if !tls.caCertificateRefs.isEmpty {
            var certificates: [NIOSSLCertificate] = []
            for ref in tls.caCertificateRefs {
                guard let pem = bundles["\(namespace)/\(ref)"],
                      let parsed = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) else { continue }
                certificates += parsed
            }
            guard !certificates.isEmpty else {
                return .failure(.noTrustedCA(policy: tls.policy, refs: tls.caCertificateRefs))
            }
            trust = .certificates(certificates)
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = trust
        // The chain is verified by BoringSSL; the names by `BackendTLSVerifier` (URI SANs too).
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = protocols
        do {
            if let clientCertificate {
                let chain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificate.certificatePEM.utf8))
                configuration.certificateChain = chain.map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientCertificate.keyPEM.utf8), format: .pem))
            }
            let context = try NIOSSLContext(configuration: configuration)
            cache.put(cacheKey, context)
            return .success(client(context))
        } catch {
            return .failure(.context(policy: tls.policy, "\(error)"))
        }
    }

    /// Client contexts by trust set (built once: parsing PEM is costly) and the clients made
    /// with them, one per handshake (what the pools key connections by), shared by loops.
    private final class ContextCache: Sendable {
        private let entries = NIOLockedValueBox((contexts: [String: NIOSSLContext](), clients: [String: BackendTLSClient]()))
        func context(_ key: String) -> NIOSSLContext? { entries.withLockedValue { $0.contexts[key] } }
        func put(_ key: String, _ context: NIOSSLContext) { entries.withLockedValue { $0.contexts[key] = context } }
        func client(_ key: String) -> BackendTLSClient? { entries.withLockedValue { $0.clients[key] } }
        /// Keeps the first client stored under `key`; returns the one kept.
        func put(_ key: String, _ client: BackendTLSClient) -> BackendTLSClient {
            entries.withLockedValue { entries in
                if let kept = entries.clients[key] { return kept }
                entries.clients[key] = client
                return client
            }
        }
    }
}

/// What one upstream TLS connection needs: the context (trust, client certificate, ALPN),
/// the SNI, the names accepted.
///
/// One object per handshake and world (`BackendTLSTrust` keeps them), compared by identity:
/// the pools key backend TLS connections by it, so a connection goes only to exchanges that
/// would make the same handshake, and after a CA or client certificate change (a new world)
/// none authenticated under the old one is handed out again; they age out of the pool.
final class BackendTLSClient: Sendable, Hashable {
    let context: NIOSSLContext
    let serverName: String
    /// The backend certificate must carry one of these as a DNS or URI subject alt name.
    let acceptedNames: [String]
    /// The one protocol the handshake offers in ALPN.
    let applicationProtocol: String
    /// `namespace/name` of the policy (messages).
    let policy: String

    init(context: NIOSSLContext, serverName: String, acceptedNames: [String], applicationProtocol: String, policy: String) {
        self.context = context
        self.serverName = serverName
        self.acceptedNames = acceptedNames
        self.applicationProtocol = applicationProtocol
        self.policy = policy
    }

    /// What the backend must select in ALPN: `h2`, since HTTP/2 over TLS is identified by
    /// it alone (RFC 9113 §3.2); none for `http/1.1`, which a backend without ALPN speaks too.
    var requiredProtocol: String? { applicationProtocol == "h2" ? applicationProtocol : nil }

    static func == (a: BackendTLSClient, b: BackendTLSClient) -> Bool { a === b }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Why a gateway-to-backend TLS connection failed.
enum BackendTLSError: Error, CustomStringConvertible {
    case noTrustedCA(policy: String, refs: [String])
    case context(policy: String, String)
    case handshake(String)
    case nameMismatch(expected: [String], presented: [String])
    case applicationProtocol(offered: String, selected: String?)

    var description: String {
        switch self {
        case .noTrustedCA(let policy, let refs):
            return "BackendTLSPolicy \(policy): no usable CA certificate in \(refs.joined(separator: ", "))"
        case .context(let policy, let why): return "BackendTLSPolicy \(policy): \(why)"
        case .handshake(let why): return "TLS handshake with the backend failed: \(why)"
        case .nameMismatch(let expected, let presented):
            return "backend certificate names \(presented.isEmpty ? "(none)" : presented.joined(separator: ", ")) match none of \(expected.joined(separator: ", "))"
        case .applicationProtocol(let offered, let selected):
            return "the backend did not select \(offered) in the TLS handshake's ALPN (it selected \(selected ?? "none"))"
        }
    }
}

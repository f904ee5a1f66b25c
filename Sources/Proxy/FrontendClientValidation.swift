import GatewayAPI
import NIOCore
import NIOSSL
import RoutingCore

/// Client-certificate validation on an HTTPS listener, from the Gateway's `spec.tls.frontend`
/// (gateway_types.go FrontendTLSConfig: a `default` and `perPort` overrides, each with
/// `validation.caCertificateRefs` and a `mode`). The listener's handshake then asks the client
/// for a certificate:
/// - `AllowValidOnly` (the default): a certificate is required and must chain to one of the
///   referenced CAs, else the handshake fails (the client never gets an HTTP answer);
/// - `AllowInsecureFallback`: a certificate is asked for, but a missing or invalid one is
///   accepted.
/// A validation whose CA references cannot be used leaves the listener unserved (its status
/// says `InvalidCACertificateRef`: it is not programmed).
struct FrontendClientValidation: Sendable {
    var trustRoots: [NIOSSLCertificate]
    var insecureFallback: Bool

    static let insecureFallbackMode = "AllowInsecureFallback"

    /// The validation for `port` of `gateway`: its per-port entry, else the default; nil when
    /// the Gateway sets none. A failure says why the CA references are unusable.
    static func resolve(gateway key: ObjectKey, port: Int, resources: ResourceSet) -> Result<FrontendClientValidation?, ValidationError> {
        guard case .gateway(let gateway)? = resources[key] else { return .success(nil) }
        guard let entry = gateway.frontendValidation.first(where: { $0.port == port })
                ?? gateway.frontendValidation.first(where: { $0.port == nil }) else { return .success(nil) }
        var roots: [NIOSSLCertificate] = []
        for ref in entry.caCertificateRefs {
            let namespace = ref.namespace ?? key.namespace
            guard ref.kind == "ConfigMap", ref.group.isEmpty || ref.group == "core",
                  case .configMap(let configMap)? = resources[ObjectKey(kind: "ConfigMap", namespace: namespace, name: ref.name)] else {
                return .failure(ValidationError("CA certificate \(ref.kind) \(namespace)/\(ref.name) not found"))
            }
            guard let pem = configMap.data["ca.crt"], let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)),
                  !certificates.isEmpty else {
                return .failure(ValidationError("ConfigMap \(namespace)/\(ref.name) has no usable ca.crt"))
            }
            roots += certificates
        }
        guard !roots.isEmpty else { return .failure(ValidationError("frontend validation without caCertificateRefs")) }
        return .success(FrontendClientValidation(trustRoots: roots, insecureFallback: entry.mode == insecureFallbackMode))
    }

    /// Asks for a client certificate: required and verified, or (fallback) optional.
    func apply(to configuration: inout TLSConfiguration) {
        configuration.trustRoots = .certificates(trustRoots)
        configuration.certificateVerification = insecureFallback ? .optionalVerification : .noHostnameVerification
    }

    /// The server handler for a listener: with fallback, a presented certificate is accepted
    /// whatever its chain (the handshake still asks for one).
    static func serverHandler(context: NIOSSLContext, validation: FrontendClientValidation?) -> NIOSSLServerHandler {
        guard validation?.insecureFallback == true else { return NIOSSLServerHandler(context: context) }
        return NIOSSLServerHandler(context: context) { _, promise in promise.succeed(.certificateVerified) }
    }

    struct ValidationError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

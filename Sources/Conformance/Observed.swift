import Foundation
import GatewayAPI
import RoutingCore

/// What a client and the echo backend would observe for one routing decision:
/// the HTTP status, which pod answered, the request the backend saw, and the
/// response headers. Upstream's checks are written against these observations,
/// so the decision is turned into them once and every check reads them.
package struct Observed {
    var status: Int
    /// Service that received the request (nil when the gateway answered itself).
    var service: BackendRef?
    /// Upstream identifies the backend by its pod name.
    var pod: String?
    var request: ForwardedRequest?
    var location: String?
    /// Response headers in order, names as written.
    var responseHeaders: [HTTPHeader]
    /// A short "which rule decided" note for difference messages.
    var route: String
    /// The TLS server name the gateway sends to the backend (BackendTLSPolicy), if any.
    var backendSNI: String?

    var isSuccess: Bool { (200..<300).contains(status) }
    var isRedirect: Bool { (300..<400).contains(status) }

    /// An observation made over a real connection (the live runner): what the
    /// client got and what the echo backend reported seeing.
    package init(status: Int, service: BackendRef?, pod: String?, request: ForwardedRequest?, location: String?,
                 responseHeaders: [HTTPHeader], route: String = "live proxy") {
        self.status = status
        self.service = service
        self.pod = pod
        self.request = request
        self.location = location
        self.responseHeaders = responseHeaders
        self.route = route
    }

    init(_ d: Decision, world: World, backendHeaders: [(String, String)]) {
        route = d.route.map { "route \($0)" } ?? "no route" + (d.reason.map { ": \($0)" } ?? "")
        backendSNI = d.backendTLS?.sni
        location = d.redirect?.location
        responseHeaders = []
        if let cors = d.cors, cors.preflight, d.outcome != .forward {
            // The gateway answers a CORS preflight itself; no backend sees it.
            status = d.status ?? (d.outcome == .error ? 403 : 204)
            responseHeaders = cors.headers
            return
        }
        switch d.outcome {
        case .respond:
            status = d.status ?? 200
        case .redirect:
            status = d.status ?? d.redirect?.status ?? 302
        case .error:
            status = d.status ?? 500
        case .forward:
            let chosen = d.backends.first { $0.backend == d.backend }
            if let backend = d.backend, chosen?.valid ?? true {
                if let tls = d.backendTLS, !Self.handshakeSucceeds(tls, world: world, backend: backend) {
                    status = 502 // the gateway cannot verify the backend: upstream sees a 5xx
                    break
                }
                status = d.status ?? 200
                service = backend
                pod = world.podName(namespace: backend.namespace, service: backend.name)
                request = d.request
                responseHeaders = Self.apply(d.responseHeaders, to: backendHeaders.map { HTTPHeader(name: $0.0, value: $0.1) })
            } else {
                status = 500
            }
        }
        if let cors = d.cors { responseHeaders += cors.headers }
    }

    /// The backend side of a gateway-to-backend TLS handshake: the backend serves
    /// the certificate its Deployment mounts; the gateway trusts the policy's CA
    /// bundles and checks the policy's subject alt names (or, without them, the SNI).
    static func handshakeSucceeds(_ tls: BackendTLS, world: World, backend: BackendRef) -> Bool {
        guard let secret = world.servingSecret(namespace: backend.namespace, service: backend.name),
              let certificate = SuiteRuntime.servingCertificates[secret] else { return false }
        guard tls.caCertificateRefs.contains("ConfigMap/\(certificate.issuer)") else { return false }
        let names = tls.subjectAltNames.isEmpty ? [tls.sni] : tls.subjectAltNames
        return names.contains { name in certificate.subjectAltNames.contains { $0.lowercased() == name.lowercased() } }
    }

    /// Set replaces every value of a name, add appends, remove drops (in that order).
    static func apply(_ changes: HeaderModifier, to headers: [HTTPHeader]) -> [HTTPHeader] {
        var out = headers
        for header in changes.set {
            let lower = header.name.lowercased()
            let index = out.firstIndex { $0.name.lowercased() == lower } ?? out.count
            out.removeAll { $0.name.lowercased() == lower }
            out.insert(header, at: min(index, out.count))
        }
        out += changes.add
        let removed = Set(changes.remove.map { $0.lowercased() })
        out.removeAll { removed.contains($0.name.lowercased()) }
        return out
    }

    /// Every value of one header (case-insensitive name) joined with ",", as upstream compares.
    package static func value(of name: String, in headers: [HTTPHeader]) -> String? {
        let lower = name.lowercased()
        let values = headers.filter { $0.name.lowercased() == lower }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    /// "a, b" and "a,b" compare equal: upstream joins repeated headers with ","
    /// while proxies may fold them with ", ".
    package static func normalize(_ value: String) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ",")
    }
}

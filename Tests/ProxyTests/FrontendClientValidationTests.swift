import Foundation
import GatewayAPI
@testable import Proxy
import RoutingCore
import Testing

/// Which CA a listener port validates client certificates with (`spec.tls.frontend`): the
/// per-port entry, else the default; unusable CA references leave the listener unserved.
/// (The handshakes themselves are exercised by the live conformance run's client-certificate
/// cases, see LiveConformanceTests.)
@Suite(.enabled(if: TestCertificates.available, "/usr/bin/openssl not found"))
struct FrontendClientValidationTests {
    static func resources(frontend: String, caPEM: String) -> ResourceSet {
        let indentedCA = caPEM.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let text = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: infra}
            spec:
              gatewayClassName: gwsim
              tls:
            \(frontend)
              listeners:
              - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ca, namespace: infra}
            data:
              ca.crt: |
            \(indentedCA)
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: empty, namespace: infra}
            data: {other: x}
            """
        let loaded = Loader.load(text: text, file: "frontend.yaml", firstLoadOrder: 0)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return loaded.resources
    }

    static let gateway = ObjectKey(kind: "Gateway", namespace: "infra", name: "gw")

    @Test func perPortOverridesDefault() throws {
        let ca = try TestCertificates.shared().a.certificatePEM
        let resources = Self.resources(frontend: """
                frontend:
                  default:
                    validation: {caCertificateRefs: [{kind: ConfigMap, group: "", name: ca}]}
                  perPort:
                  - port: 8443
                    tls:
                      validation: {mode: AllowInsecureFallback, caCertificateRefs: [{kind: ConfigMap, group: "", name: ca}]}
                  - port: 9443
                    tls:
                      validation: {caCertificateRefs: [{kind: ConfigMap, group: "", name: empty}]}
                  - port: 10443
                    tls:
                      validation: {caCertificateRefs: [{kind: ConfigMap, group: "", name: absent}]}
            """, caPEM: ca)
        let onDefault = try FrontendClientValidation.resolve(gateway: Self.gateway, port: 443, resources: resources).get()
        #expect(onDefault?.trustRoots.count == 1 && onDefault?.insecureFallback == false)
        let fallback = try FrontendClientValidation.resolve(gateway: Self.gateway, port: 8443, resources: resources).get()
        #expect(fallback?.insecureFallback == true)
        #expect(throws: FrontendClientValidation.ValidationError.self) {
            try FrontendClientValidation.resolve(gateway: Self.gateway, port: 9443, resources: resources).get()
        }
        #expect(throws: FrontendClientValidation.ValidationError.self) {
            try FrontendClientValidation.resolve(gateway: Self.gateway, port: 10443, resources: resources).get()
        }
    }

    @Test func noFrontendMeansNoValidation() throws {
        let resources = Self.resources(frontend: "    {}", caPEM: try TestCertificates.shared().a.certificatePEM)
        #expect(try FrontendClientValidation.resolve(gateway: Self.gateway, port: 443, resources: resources).get() == nil)
    }
}

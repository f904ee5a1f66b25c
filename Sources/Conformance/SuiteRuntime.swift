import Foundation
import GatewayAPI
import RoutingCore

/// What the upstream harness creates or changes at run time, outside any
/// manifest. Upstream generates TLS certificates and CA bundles before the
/// tests run (suite.go) and patches some EndpointSlices with Pod IPs; the case
/// files say these are absent. Without them, every HTTPS listener would be
/// unresolvable and the transcribed `ResolvedRefs=True` expectations could
/// never hold, so the runner supplies stand-ins: real key pairs with the names
/// and subject alt names upstream generates (`SuiteCertificates`); the in-process
/// run only needs their presence, the live run completes handshakes with them.
package enum SuiteRuntime {
    static let gatewayClassName = "gwsim"
    package static let controllerName = "gwsim.dev/gateway-controller"

    /// The address pools upstream asks the implementation for (GatewayStaticAddresses):
    /// the one address both runners serve on, and one that is never a local address
    /// (192.0.2.0/24 is reserved for documentation, RFC 5737).
    static let usableAddress = "127.0.0.1"
    static let unusableAddress = "192.0.2.1"

    /// How both runners compile: as the controller under test, on the usable address only.
    package static let compileOptions = CompileOptions(controllerName: controllerName,
                                                       addressPool: AddressPool(addresses: [IPAddress(usableAddress)!]))

    /// Replaces the suite's placeholders in manifest text.
    package static func substitute(_ text: String) -> String {
        text.replacingOccurrences(of: "{GATEWAY_CLASS_NAME}", with: gatewayClassName)
            .replacingOccurrences(of: "{GATEWAY_CONTROLLER_NAME}", with: controllerName)
            .replacingOccurrences(of: "PLACEHOLDER_USABLE_ADDRS", with: usableAddress)
            .replacingOccurrences(of: "PLACEHOLDER_UNUSABLE_ADDRS", with: unusableAddress)
    }

    /// The GatewayClass under test, created first as upstream's harness expects.
    package static var gatewayClassYAML: String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: \(gatewayClassName)
        spec:
          controllerName: \(controllerName)

        """
    }

    /// TLS Secrets upstream generates (namespace, name).
    package static let tlsSecrets: [(String, String)] = [
        ("gateway-conformance-infra", "tls-validity-checks-certificate"),
        ("gateway-conformance-infra", "tls-checks-certificate"),
        ("gateway-conformance-infra", "tls-passthrough-checks-certificate"),
        ("gateway-conformance-app-backend", "tls-passthrough-checks-certificate"),
        ("gateway-conformance-infra", "tls-terminate-checks-certificate"),
        ("gateway-conformance-infra", "tls-checks-client-certificate"),
        ("gateway-conformance-infra", "tls-validity-checks-client-certificate"),
        ("gateway-conformance-infra", "tls-validity-checks-per-port-client-certificate"),
        ("gateway-conformance-web-backend", "certificate"),
    ]

    /// What upstream's generated serving certificates carry (suite.go; the case
    /// notes list them): Secret name -> subject alt names and the CA ConfigMap
    /// that signed it. The runner plays the echo backend's side of a TLS
    /// handshake with these facts (BackendTLSPolicy cases).
    package static let servingCertificates: [String: (subjectAltNames: [String], issuer: String)] = [
        "tls-checks-certificate": (["abc.example.com", "spiffe://abc.example.com/test-identity", "other.example.com"], "tls-checks-ca-certificate"),
    ]

    /// CA bundles (ConfigMaps with `ca.crt`) upstream generates.
    package static let caConfigMaps: [(String, String)] = [
        ("gateway-conformance-infra", "tls-checks-ca-certificate"),
        ("gateway-conformance-infra", "mismatch-ca-certificate"),
        ("gateway-conformance-infra", "tls-validity-checks-ca-certificate"),
        ("gateway-conformance-infra", "tls-validity-checks-per-port-ca-certificate"),
        ("gateway-conformance-web-backend", "web-backend-cm"),
    ]

    /// The generated objects as one YAML stream (loaded before the base manifests,
    /// so that a manifest defining the same object replaces the stand-in).
    package static var generatedObjectsYAML: String {
        var docs: [String] = []
        for (namespace, name) in tlsSecrets {
            guard let pair = SuiteCertificates.secrets[name] else { continue }
            let crt = Data(pair.certificate.utf8).base64EncodedString()
            let key = Data(pair.key.utf8).base64EncodedString()
            docs.append("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: \(name)
                  namespace: \(namespace)
                type: kubernetes.io/tls
                data:
                  tls.crt: \(crt)
                  tls.key: \(key)
                """)
        }
        for (namespace, name) in caConfigMaps {
            guard let authority = SuiteCertificates.authorities[name] else { continue }
            let caLines = authority.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            docs.append("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: \(name)
                  namespace: \(namespace)
                data:
                  ca.crt: |
                \(caLines)
                """)
        }
        return docs.joined(separator: "\n---\n") + "\n"
    }

    /// EndpointSlices that upstream (HTTPRouteServiceTypes) patches with the
    /// run-time Pod IPs of infra-backend-v1; only the IPv4 ones, as on an IPv4
    /// cluster (a slice with no matching IPs is left unpatched upstream).
    static let endpointPatches: [ObjectKey: String] = [
        ObjectKey(kind: "EndpointSlice", namespace: "gateway-conformance-infra", name: "manual-endpointslices-ip4"): "10.244.0.11",
        ObjectKey(kind: "EndpointSlice", namespace: "gateway-conformance-infra", name: "headless-manual-endpointslices-ip4"): "10.244.0.11",
    ]

    /// The merge patch upstream applies to one of `endpointPatches`.
    static func endpointPatch(address: String) -> Value {
        .object([("endpoints", .array([.object([
            ("addresses", .array([.string(address)])),
            ("conditions", .object([("ready", .bool(true)), ("serving", .bool(true)), ("terminating", .bool(false))])),
            ("targetRef", .object([("kind", .string("Pod")), ("namespace", .string("gateway-conformance-infra")),
                                   ("name", .string("infra-backend-v1-runtime"))])),
        ])]))])
    }

    /// Objects an upstream test creates from Go code during a step (they are in
    /// no manifest; the case notes spell them out). Keyed by case name, then by
    /// 0-based step index; applied at the start of that step.
    package static let stepObjects: [String: [Int: String]] = [
        "TCPRouteMultipleRoutesAttachment": [1: """
            apiVersion: gateway.networking.k8s.io/v1
            kind: TCPRoute
            metadata: {name: tcproute-attach-newer, namespace: gateway-conformance-infra}
            spec:
              parentRefs: [{name: tcp-multi-route-attach-gateway, sectionName: tcp}]
              rules: [{backendRefs: [{name: tcp-attach-backend-2, port: 3000}]}]
            """],
        "UDPRouteMultipleRoutesAttachment": [1: """
            apiVersion: gateway.networking.k8s.io/v1
            kind: UDPRoute
            metadata: {name: udproute-attach-newer, namespace: gateway-conformance-infra}
            spec:
              parentRefs: [{name: udp-multi-route-attach-gateway, sectionName: udp}]
              rules: [{backendRefs: [{name: udp-attach-backend-2, port: 8080}]}]
            """],
    ]

    /// The client certificate (a Secret of `SuiteCertificates`) upstream's client presents,
    /// per case, 0-based step and request; nil: none. The case format cannot say it; the
    /// case notes list it ("Client certificate presented, by request in order").
    package static let clientCertificates: [String: [Int: [String?]]] = [
        "GatewayFrontendClientCertificateValidation": [0: [
            "tls-validity-checks-client-certificate", "tls-validity-checks-per-port-client-certificate",
            "tls-validity-checks-per-port-client-certificate", "tls-validity-checks-client-certificate",
        ]],
        "GatewayFrontendClientCertificateValidationInsecureFallback": [0: [
            "tls-validity-checks-client-certificate", "tls-validity-checks-per-port-client-certificate", nil,
            "tls-validity-checks-per-port-client-certificate", "tls-validity-checks-client-certificate", nil,
        ]],
    ]

    /// A WebSocket exchange an upstream test makes from Go code (the case format cannot
    /// express it; the case notes spell it out): at `step` (0-based), an upgrade to `path` on
    /// the Gateway's `port`, then `text` and `binary` messages that must come back unchanged,
    /// `repetitions` times in a row (RequiredConsecutiveSuccesses).
    package struct WebSocketProbe: Sendable {
        package var step: Int
        package var gateway: ObjectRef
        package var port: Int
        package var path: String
        package var text: String
        package var binary: [UInt8]
        package var repetitions: Int
    }

    package static let webSocketProbes: [String: WebSocketProbe] = [
        "HTTPRouteBackendProtocolWebSocket": WebSocketProbe(
            step: 0, gateway: ObjectRef(kind: "Gateway", namespace: "gateway-conformance-infra", name: "same-namespace"),
            port: 80, path: "/ws", text: "Websocket Support!", binary: [1, 2, 3, 4, 5, 6, 7], repetitions: 3),
    ]

    /// A stand-in address for "the gateway address" (TEST-NET-1, never contacted).
    package static let gatewayAddress = "192.0.2.1"
}

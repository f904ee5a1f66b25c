import Foundation
@testable import GatewayAPI

/// Paths and manifests shared by the loader tests.
enum Fixtures {
    /// The repository root, found from this file (symlinks resolved).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `/work/shared/conformance` sits beside the repository checkout.
    static let conformance: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")

    /// The seed article's v1alpha1 manifests, verbatim, plus its canary variant and the
    /// core/apps documents that accompany them.
    static let seed = """
    apiVersion: networking.x-k8s.io/v1alpha1
    kind: GatewayClass
    metadata:
      name: traefik
    spec:
      controller: traefik.io/gateway-controller
    ---
    apiVersion: networking.x-k8s.io/v1alpha1
    kind: Gateway
    metadata:
      name: traefik-gateway
      namespace: kube-system
    spec:
      gatewayClassName: traefik
      listeners:
      - port: 8000
        protocol: HTTP
        routes:
          group: networking.x-k8s.io
          kind: HTTPRoute
          namespaces:
            from: Same
          selector:
            matchLabels:
              app: traefik
    ---
    apiVersion: networking.x-k8s.io/v1alpha1
    kind: HTTPRoute
    metadata:
      name: http-app-1
      namespace: kube-system
      labels:
        app: traefik
    spec:
      hostnames:
      - "whoami"
      rules:
      - matches:
        - path:
            type: Exact
            value: /
        forwardTo:
        - serviceName: whoami
          port: 80
          weight: 1
    ---
    apiVersion: networking.x-k8s.io/v1alpha1
    kind: HTTPRoute
    metadata:
      name: http-app-canary
      namespace: kube-system
      labels:
        app: traefik
    spec:
      hostnames:
      - "whoami"
      rules:
      - forwardTo:
        - serviceName: whoami
          port: 80
          weight: 3
        - serviceName: whoami-v2
          port: 80
          weight: 1
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: whoami
      namespace: kube-system
    spec:
      ports:
      - protocol: TCP
        port: 80
        targetPort: web
      selector:
        app: whoami
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: whoami
      namespace: kube-system
    spec:
      replicas: 2
    """

    /// A valid v1 HTTPRoute whose fields tests break one at a time.
    static func httpRoute(rules: String, extraSpec: String = "") -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: r
          namespace: ns
        spec:
          parentRefs:
          - name: gw
        \(extraSpec)
          rules:
        \(rules)
        """
    }
}

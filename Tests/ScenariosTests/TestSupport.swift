import Foundation

/// The repository root (for the shipped scenarios) and scratch directories.
enum TestSupport {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let scenarios = root + "/scenarios"

    /// A fresh temporary directory, removed by the caller via `defer`.
    static func tempDir() -> String {
        let path = NSTemporaryDirectory() + "gwsim-scen-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func write(_ text: String, to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    /// A minimal valid manifest set (GatewayClass, Gateway, Service, HTTPRoute) in `dir`.
    static func writeManifests(in dir: String) {
        write("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata:
              name: test
            spec:
              controllerName: example.com/test
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: gw
              namespace: default
            spec:
              gatewayClassName: test
              listeners:
                - name: http
                  protocol: HTTP
                  port: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: default
            spec:
              ports:
                - port: 80
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: web
              namespace: default
            spec:
              parentRefs:
                - name: gw
              hostnames: [example.com]
              rules:
                - backendRefs:
                    - name: web
                      port: 80
            """, to: dir + "/base.yaml")
        write("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: extra
              namespace: default
            spec:
              parentRefs:
                - name: gw
              hostnames: [extra.example.com]
              rules:
                - backendRefs:
                    - name: web
                      port: 80
            """, to: dir + "/extra.yaml")
    }
}

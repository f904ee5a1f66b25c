import Conformance
import Foundation

/// Real certificates for the live conformance run, in place of the suite's PEM-shaped
/// placeholders (`SuiteRuntime`): upstream's harness generates a CA and serving
/// certificates before the tests run (suite.go), and a live TLS handshake needs real ones.
/// Minted once per run with the `openssl` command (absent: TLS cases are skipped): one CA
/// for every CA ConfigMap except `mismatch-ca-certificate` (another CA, so that a policy
/// trusting it fails), and one certificate per Secret, signed by the CA, carrying the
/// names the case notes give for it.
struct LiveTLSMaterial: Sendable {
    struct Pair: Sendable {
        var certificatePEM: String
        var keyPEM: String
    }

    var ca: Pair
    var otherCA: Pair
    /// Secret name -> its certificate and key.
    var secrets: [String: Pair]

    /// Subject alt names per Secret (`SuiteRuntime.servingCertificates` first, then the case
    /// notes); any other Secret gets the suite's usual example names.
    static func subjectAltNames(secret: String) -> [String] {
        if let known = SuiteRuntime.servingCertificates[secret] {
            return known.subjectAltNames.map { $0.contains("://") ? "URI:\($0)" : "DNS:\($0)" }
        }
        switch secret {
        case "tls-passthrough-checks-certificate": return ["DNS:abc.example.com"]
        case "tls-terminate-checks-certificate": return ["DNS:tls.example.com"]
        default: return ["DNS:example.org", "DNS:*.example.org", "DNS:example.com", "DNS:*.example.com", "DNS:second-example.org"]
        }
    }

    static let openssl = "/usr/bin/openssl"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var minted: Result<LiveTLSMaterial, MintError>?

    /// The run's material, minted on first use.
    static func shared() -> Result<LiveTLSMaterial, MintError> {
        lock.lock()
        defer { lock.unlock() }
        if let minted { return minted }
        let result = Result { try mint() }.mapError { $0 as? MintError ?? MintError(description: "\($0)") }
        minted = result
        return result
    }

    struct MintError: Error, CustomStringConvertible { var description: String }

    private static func mint() throws -> LiveTLSMaterial {
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw MintError(description: "needs \(openssl) to mint stand-in certificates for a TLS handshake")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-live-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func makeCA(_ name: String) throws -> Pair {
            try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(name)",
                     "-days", "3650", "-keyout", path("\(name).key"), "-out", path("\(name).crt")])
            return Pair(certificatePEM: try String(contentsOfFile: path("\(name).crt"), encoding: .utf8),
                        keyPEM: try String(contentsOfFile: path("\(name).key"), encoding: .utf8))
        }
        let ca = try makeCA("gwsim-live-ca")
        let otherCA = try makeCA("gwsim-live-mismatch-ca")
        var secrets: [String: Pair] = [:]
        for name in Set(SuiteRuntime.tlsSecrets.map(\.1)).sorted() {
            let sans = subjectAltNames(secret: name)
            try "subjectAltName=\(sans.joined(separator: ","))\nbasicConstraints=CA:FALSE\n"
                .write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(name)",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
            try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("gwsim-live-ca.crt"), "-CAkey", path("gwsim-live-ca.key"),
                     "-CAcreateserial", "-days", "3650", "-extfile", path("\(name).ext"), "-out", path("\(name).crt")])
            secrets[name] = Pair(certificatePEM: try String(contentsOfFile: path("\(name).crt"), encoding: .utf8),
                                 keyPEM: try String(contentsOfFile: path("\(name).key"), encoding: .utf8))
        }
        return LiveTLSMaterial(ca: ca, otherCA: otherCA, secrets: secrets)
    }

    /// Runs openssl; a launch that fails is retried twice (Foundation's `Process.run()` on
    /// Linux can fail with EBADF while other threads open and close sockets).
    private static func run(_ arguments: [String]) throws {
        var attempt = 0
        var process: Process
        while true {
            process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
                break
            } catch where attempt < 2 {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MintError(description: "openssl \(arguments.first ?? "") exited \(process.terminationStatus)")
        }
    }

    /// The generated objects with real material, as YAML applied over the placeholders.
    var objectsYAML: String {
        var docs: [String] = []
        for (namespace, name) in SuiteRuntime.tlsSecrets {
            guard let pair = secrets[name] else { continue }
            docs.append("""
                apiVersion: v1
                kind: Secret
                metadata: {name: \(name), namespace: \(namespace)}
                type: kubernetes.io/tls
                data:
                  tls.crt: \(Data(pair.certificatePEM.utf8).base64EncodedString())
                  tls.key: \(Data(pair.keyPEM.utf8).base64EncodedString())
                """)
        }
        for (namespace, name) in SuiteRuntime.caConfigMaps {
            let pem = name == "mismatch-ca-certificate" ? otherCA.certificatePEM : ca.certificatePEM
            let lines = pem.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            docs.append("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name), namespace: \(namespace)}\ndata:\n  ca.crt: |\n\(lines)")
        }
        return docs.joined(separator: "\n---\n") + "\n"
    }
}

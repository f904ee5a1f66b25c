import Foundation
import Testing

/// `gwsim conformance DIR --live` on a handful of cases: the suite's requests sent over real
/// sockets through the proxy to whoami backends. The live runner lives in the gwsim
/// executable (it needs the Conformance module, which this test target does not depend
/// on), so the test runs the built `gwsim` binary next to the test bundle. Skipped when
/// ../shared/conformance (the suite) or the binary is missing.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct LiveConformanceTests {
    /// Plain HTTP routing, weights, redirects, filters; status only (checked through the admin
    /// API's GET /status); HTTPS with SNI; echo-backend controls (response headers, delays,
    /// a recovering backend for retries); a multi-step case with patches.
    static let cases = ["HTTPRouteSimpleSameNamespace", "HTTPRouteMatching", "HTTPRouteWeight", "HTTPRouteRedirectPath",
                        "HTTPRouteRequestHeaderModifier", "GatewayClassObservedGenerationBump", "HTTPRouteInvalidCrossNamespaceParentRef",
                        "HTTPRouteHTTPSListener", "HTTPRouteResponseHeaderModifier", "HTTPRouteTimeoutRequest",
                        "HTTPRouteTimeoutBackendRequest", "HTTPRouteRetry", "GatewayObservedGenerationBump"]

    static var suiteDirectory: String? {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("../shared/conformance").standardized.path, "/work/shared/conformance"]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/cases") }
    }

    /// The gwsim binary built with the tests (same products directory as the test bundle).
    static var gwsimBinary: String? {
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent())
        if let url = Bundle.main.executableURL { candidates.append(url.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            var dir = directory
            // Inside an .xctest bundle on macOS: Contents/MacOS -> the products directory.
            for _ in 0..<4 {
                let path = dir.appendingPathComponent("gwsim").path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: path) { return path }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gwsimBinary!)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(arguments: cases)
    func caseRunsLive(_ name: String) throws {
        guard let directory = Self.suiteDirectory, Self.gwsimBinary != nil else { return }
        let started = Date()
        let (status, output) = try Self.run(["conformance", directory, "--live", "--case", name])
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(output.contains("PASS  \(name)\n"), "\(output)")
        #expect(output.hasSuffix("1 passed, 0 failed, 0 skipped\n"), "\(output)")
        #expect(status == 0)
    }

    /// The whole suite live: nothing fails, and every case the in-process run passes is judged
    /// live too (status through the admin API, HTTPS, the echo-backend controls), plus the
    /// live-only ones (timeouts, retry, WebSocket, client certificates, gRPC and h2c). Only cases needing what the live runner lacks may be skipped (see the
    /// report's reasons). About 10 s on two cores in a debug build.
    @Test func wholeSuite() throws {
        guard let directory = Self.suiteDirectory, Self.gwsimBinary != nil else { return }
        let (status, output) = try Self.run(["conformance", directory, "--live", "-o", "json"])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output.prefix(500))")
        let summary = try #require(report["summary"] as? [String: Any])
        let cases = report["cases"] as? [[String: Any]] ?? []
        let failures = cases.filter { $0["result"] as? String == "fail" }.map { "\($0["name"] ?? "?"): \($0["reasons"] ?? "")" }
        #expect(summary["failed"] as? Int == 0, "\(failures)")
        #expect((summary["passed"] as? Int ?? 0) >= 128, "\(summary)")
        let result = { (name: String) in cases.first { $0["name"] as? String == name }?["result"] as? String }
        for name in ["HTTPRouteTimeoutRequest", "HTTPRouteTimeoutBackendRequest", "HTTPRouteRetry", "HTTPRouteBackendProtocolWebSocket",
                     "HTTPRouteHTTPSListener", "HTTPRouteHTTPSListenerDetectMisdirectedRequests", "HTTPRouteRedirectPortAndScheme",
                     "HTTPRouteResponseHeaderModifier", "GatewayClassObservedGenerationBump", "TCPRouteReferenceGrant", "UDPRoute",
                     "GatewayFrontendClientCertificateValidation", "GatewayFrontendClientCertificateValidationInsecureFallback",
                     "GatewayFrontendInvalidDefaultClientCertificateValidation",
                     "GRPCExactMethodMatching", "GRPCRouteWeight", "HTTPRouteBackendProtocolH2C"] {
            #expect(result(name) == "pass", "\(name)")
        }
    }

    /// The JSON rendering says it was a live run and keeps the summary shape.
    @Test func jsonOutput() throws {
        guard let directory = Self.suiteDirectory, Self.gwsimBinary != nil else { return }
        let (status, output) = try Self.run(["conformance", directory, "--live", "--case", "HTTPRouteSimpleSameNamespace", "-o", "json"])
        #expect(status == 0)
        #expect(output.contains("\"mode\":\"live\""))
        #expect(output.contains("\"result\":\"pass\""))
    }
}

import XCTest
@testable import GatewayAPI

/// The upstream conformance manifests must load as a real API server would accept
/// them. A few are deliberately invalid at the API-server level; they are listed here
/// with the reason, and every other object must load.
final class ConformanceManifestTests: XCTestCase {
    /// file -> objects our validation rejects, each checked against the upstream CRDs.
    static let expectedRejections: [String: Set<String>] = [:]

    func load(_ url: URL) -> LoadResult {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return Loader.load(text: text.replacingOccurrences(of: "{GATEWAY_CLASS_NAME}", with: "gwsim")
            .replacingOccurrences(of: "{GATEWAY_CONTROLLER_NAME}", with: "gwsim.dev/gateway-controller")
            // Address pools the implementation supplies (SuiteRuntime.substitute).
            .replacingOccurrences(of: "PLACEHOLDER_USABLE_ADDRS", with: "127.0.0.1")
            .replacingOccurrences(of: "PLACEHOLDER_UNUSABLE_ADDRS", with: "192.0.2.1"), file: url.lastPathComponent)
    }

    func testBaseManifestsLoadWithoutErrors() throws {
        let url = Fixtures.conformance.appendingPathComponent("base/manifests.yaml")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("no conformance base at \(url.path)") }
        let result = load(url)
        XCTAssertFalse(result.hasErrors, result.diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        XCTAssertGreaterThan(result.objects.count, 10)
    }

    func testEveryConformanceManifestLoads() throws {
        let dir = Fixtures.conformance.appendingPathComponent("manifests")
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { throw XCTSkip("no conformance manifests at \(dir.path)") }
        var unexpected: [String] = []
        for name in files.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let result = load(dir.appendingPathComponent(name))
            let rejected = Set(result.diagnostics.filter { $0.severity == .error }.map { $0.object?.description ?? "?" })
            let allowed = Self.expectedRejections[name] ?? []
            for error in result.diagnostics where error.severity == .error && !allowed.contains(error.object?.description ?? "?") {
                unexpected.append(error.description)
            }
            XCTAssertTrue(allowed.isSubset(of: rejected), "\(name): expected rejections \(allowed.subtracting(rejected)) no longer happen")
        }
        XCTAssertTrue(unexpected.isEmpty, unexpected.joined(separator: "\n"))
    }
}

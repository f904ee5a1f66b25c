import Foundation
import XCTest
@testable import Conformance

/// Runs the whole upstream suite (as data) and holds the result to the
/// checked-in list of expected failures: a new failure fails the test, and so
/// does a listed case that no longer fails, so the list stays honest.
final class ConformanceSuiteTests: XCTestCase {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// `$GWSIM_CONFORMANCE_DIR`, else `<repo>/../shared/conformance`.
    static var suiteDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["GWSIM_CONFORMANCE_DIR"], !dir.isEmpty { return dir }
        let repo = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/conformance").path
    }

    /// Case name -> reason, from `expected-failures.txt` (`Name # reason` per line).
    static func expectedFailures() throws -> [String: String] {
        let text = try String(contentsOf: testsFolder.appendingPathComponent("expected-failures.txt"), encoding: .utf8)
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            out[name] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        return out
    }

    func testWholeSuite() throws {
        let directory = Self.suiteDirectory
        try XCTSkipUnless(FileManager.default.fileExists(atPath: directory + "/cases"), "no conformance suite at \(directory)")
        let started = Date()
        let report = ConformanceRunner(directory: directory).run()
        let elapsed = Date().timeIntervalSince(started)
        print(report.text, terminator: "")
        print(String(format: "conformance suite ran in %.1fs", elapsed))

        XCTAssertTrue(report.errors.isEmpty, "unreadable case files: \(report.errors)")
        XCTAssertGreaterThan(report.cases.count, 100, "the suite should hold well over 100 cases")
        let expected = try Self.expectedFailures()
        for result in report.cases {
            switch result.outcome {
            case .failed(let differences) where expected[result.name] == nil:
                XCTFail("\(result.name) fails:\n  " + differences.joined(separator: "\n  "))
            case .passed where expected[result.name] != nil, .skipped where expected[result.name] != nil:
                XCTFail("\(result.name) is listed in expected-failures.txt but now \(result.resultName)es; remove it from the list")
            default:
                break
            }
        }
        let names = Set(report.cases.map(\.name))
        for name in expected.keys.sorted() where !names.contains(name) {
            XCTFail("expected-failures.txt lists \(name), which is not a case of the suite")
        }
    }

    func testReportRenderings() {
        let report = ConformanceReport(cases: [
            CaseResult(name: "A", profile: "GATEWAY-HTTP", level: "core", file: "a.yaml", outcome: .passed),
            CaseResult(name: "B", profile: "GATEWAY-HTTP", level: "core", file: "b.yaml", outcome: .failed(["step 1 request 1: x"])),
            CaseResult(name: "C", profile: "GATEWAY-TLS", level: "extended", file: "c.yaml", outcome: .skipped("needs X")),
        ])
        XCTAssertTrue(report.text.hasSuffix("1 passed, 1 failed, 1 skipped\n"))
        XCTAssertTrue(report.text.contains("GATEWAY-HTTP core: 1 passed, 1 failed, 0 skipped"))
        XCTAssertTrue(report.json.contains(#""result":"skip","reasons":["needs X"]"#))
        XCTAssertTrue(report.json.contains(#""summary":{"passed":1,"failed":1,"skipped":1"#))
    }
}

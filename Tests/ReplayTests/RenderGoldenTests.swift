import Foundation
@testable import Replay
import Testing

/// Golden files for the sample report's text, Markdown and JSON renderings, in
/// `RenderGolden/` (named `*.golden.txt`; SwiftPM lists them as unhandled
/// files, which is harmless). With `GWSIM_UPDATE_GOLDEN=1` they are rewritten;
/// review the diff like code — it is what users and CI will see.
@Suite struct RenderGoldenTests {
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/RenderGolden"
    }()

    static let updating = ProcessInfo.processInfo.environment["GWSIM_UPDATE_GOLDEN"] == "1"

    /// Compares `actual` with `RenderGolden/<name>`, or rewrites it when updating.
    static func check(_ actual: String, _ name: String) throws {
        let path = directory + "/" + name
        if updating {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        if expected != actual {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            let got = first < a.count ? String(a[first]) : "<end>"
            let want = first < e.count ? String(e[first]) : "<end>"
            Issue.record("\(name) differs at line \(first + 1):\n  expected: \(want)\n  actual:   \(got)\n(GWSIM_UPDATE_GOLDEN=1 to accept)")
        }
    }

    @Test func text() throws { try Self.check(ImpactReportRenderer.text(RenderSample.report()), "sample.text.golden.txt") }
    @Test func markdown() throws { try Self.check(ImpactReportRenderer.markdown(RenderSample.report()), "sample.markdown.golden.txt") }
    @Test func json() throws { try Self.check(ImpactReportRenderer.json(RenderSample.report()), "sample.json.golden.txt") }

    /// A replay where nothing changes stays short in every format.
    @Test func noChange() throws {
        var r = ImpactReport(input: ReplayInput(trace: "traces/quiet.jsonl.zst", with: ["scenarios/noop.yaml"]))
        r.requests = 1_000
        r.byHostname = [Breakdown(key: "quiet.example.com", requests: 1_000, changed: 0, newlyFailing: 0)]
        try Self.check(ImpactReportRenderer.text(r), "nochange.text.golden.txt")
        try Self.check(ImpactReportRenderer.markdown(r), "nochange.markdown.golden.txt")
    }
}

import Foundation
import Testing

/// `--level` on the commands that write traces, through the built binary: a level
/// out of range is refused with the range, and a lower level writes a larger file
/// that reads back to the same events.
@Suite struct TraceLevelCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func levelIsCheckedAndChangesOnlyTheSize() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let scenario = Self.repository.appendingPathComponent("scenarios/seed-canary.yaml").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-level-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (refused, message) = try LiveConformanceTests.run(["generate", scenario, "-o", dir.appendingPathComponent("x.zst").path, "--level", "20"])
        #expect(refused == 2)
        #expect(message.contains("--level must be between 1 and 19, got 20"), "\(message)")

        var sizes: [Int] = []
        var texts: [String] = []
        for level in ["1", "8"] {
            let path = dir.appendingPathComponent("l\(level).zst").path
            let (status, output) = try LiveConformanceTests.run(["generate", scenario, "-o", path, "--requests", "3000", "--level", level])
            #expect(status == 0, "\(output)")
            sizes.append(try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
            texts.append(try LiveConformanceTests.run(["cat", path, "-o", "jsonl"]).output)
        }
        #expect(sizes[0] > sizes[1])
        #expect(texts[0] == texts[1] && texts[0].contains("\"seq\":3005,"))
    }

    /// A gate on requests over a trace without any, or on disagreement without recorded
    /// outcomes, cannot say anything: exit 2, not a pass.
    @Test func gatesThatCannotSayAnythingAreRefused() throws {
        guard LiveConformanceTests.gwsimBinary != nil else { return }
        let scenario = Self.repository.appendingPathComponent("scenarios/seed-canary.yaml").path
        let change = Self.repository.appendingPathComponent("scenarios/seed-canary/new-route.yaml").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gwsim-gates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("t.zst").path
        #expect(try LiveConformanceTests.run(["generate", scenario, "-o", trace, "--requests", "200"]).status == 0)
        let (unverifiable, message) = try LiveConformanceTests.run(["replay", trace, "--with", change, "--fail-on", "disagreement>0"])
        #expect(unverifiable == 2)
        #expect(message.contains("records no observed outcome"), "\(message)")

        let db = dir.appendingPathComponent("e.db").path
        #expect(try LiveConformanceTests.run(["apply", "-f", Self.repository.appendingPathComponent("scenarios/seed").path, "--log", db]).status == 0)
        let empty = dir.appendingPathComponent("e.zst").path
        #expect(try LiveConformanceTests.run(["export", db, "-o", empty]).status == 0)
        let (noRequests, why) = try LiveConformanceTests.run(["replay", empty, "--with", change, "--fail-on", "changed>0"])
        #expect(noRequests == 2)
        #expect(why.contains("holds no request to compare"), "\(why)")
        let (statusOnly, report) = try LiveConformanceTests.run(["replay", empty, "--with", change, "--fail-on", "status-changes>5", "-o", "json"])
        #expect(statusOnly == 0)
        #expect(report.contains("holds no request to compare"), "\(report)")
    }
}

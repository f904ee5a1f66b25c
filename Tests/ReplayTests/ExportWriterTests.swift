import Foundation
@testable import Replay
import Testing

/// The `--export` files: RFC 4180 quoting, the columns `notebooks-data/README.md`
/// documents, and the checked-in example (`notebooks-data/example/`), which is
/// this test's output for the sample replay (`GWSIM_UPDATE_GOLDEN=1` rewrites it).
@Suite struct ExportWriterTests {
    static let exampleDirectory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3) // ExportWriterTests.swift, ReplayTests, Tests
        return parts.joined(separator: "/") + "/notebooks-data/example"
    }()

    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "gwsim-export-test-" + UUID().uuidString
    }

    static func read(_ dir: String, _ name: String) throws -> String {
        try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    }

    @Test func csvQuoting() {
        #expect(ExportCSV.field("plain") == "plain")
        #expect(ExportCSV.field("") == "")
        #expect(ExportCSV.field("a,b") == "\"a,b\"")
        #expect(ExportCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ExportCSV.field("two\nlines") == "\"two\nlines\"")
        #expect(ExportCSV.field("cr\rhere") == "\"cr\rhere\"")
        #expect(ExportCSV.field(" spaced ") == " spaced ")
        #expect(ExportCSV.record(["a", "b,c", "d\"e"]) == "a,\"b,c\",\"d\"\"e\"\r\n")
    }

    /// An export that does not finish (the replay failed) leaves the directory as it was:
    /// an earlier export whole, no partial file.
    @Test func anUnfinishedExportLeavesTheEarlierOneWhole() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ExportWriter.begin(directory: dir)
        try first.finish(report: ImpactReport(input: ReplayInput(trace: "t")))
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let summary = try Self.read(dir, ExportWriter.summaryFile)
        do {
            let second = try ExportWriter.begin(directory: dir)
            try second.add(ChangedRequestRow(id: "x", timeMicros: 0, method: "GET", host: "h", path: "/",
                                             before: .init(route: nil, rule: nil, backend: nil, status: "404", statusCode: 404),
                                             after: .init(route: nil, rule: nil, backend: nil, status: "404", statusCode: 404), categories: []))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == before)
        #expect(before == [ExportWriter.changedRequestsFile, ExportWriter.ruleSharesFile, ExportWriter.summaryFile].sorted())
        #expect(try Self.read(dir, ExportWriter.summaryFile) == summary)
        #expect(try Self.read(dir, ExportWriter.changedRequestsFile).split(separator: "\r\n").count == 1)

        let file = dir + "/plain-file"
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        #expect(throws: ExportError.self) { try ExportWriter.begin(directory: file) }
    }

    /// Writes and reads back a row with every awkward character, with a tiny RFC 4180 parser.
    @Test func awkwardRowRoundTrips() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let side = ChangedRequestRow.Side(route: "httproute/a/b", rule: "httproute/a/b/rule/0", backend: "a/b:80", status: "forward", statusCode: nil)
        let none = ChangedRequestRow.Side(route: nil, rule: nil, backend: nil, status: "404", statusCode: 404)
        let path = "/q?x=1,2&y=\"quoted\"\nsecond line\r\nthird"
        let session = try ExportWriter.begin(directory: dir + "/nested")
        try session.add(ChangedRequestRow(id: "r,1", timeMicros: 0, method: "GET", host: "h\"ost", path: path,
                                          before: side, after: none, categories: [.routeOrRule, .status, .newlyUnrouted]))
        try session.finish(report: ImpactReport(input: ReplayInput(trace: "t")))
        let records = Self.parse(try Self.read(dir + "/nested", ExportWriter.changedRequestsFile))
        #expect(records.count == 2)
        #expect(records[0] == ExportCSV.changedRequestsHeader)
        #expect(records[1] == ["r,1", "1970-01-01T00:00:00.000000Z", "GET", "h\"ost", path,
                               "httproute/a/b", "httproute/a/b/rule/0", "a/b:80", "forward", "", "", "", "404",
                               "route-or-rule;status;newly-unrouted"])
        #expect(throws: ExportError.self) { try session.add(ChangedRequestRow(id: "late", timeMicros: 0, method: "GET", host: "h", path: "/", before: side, after: none, categories: [])) }
    }

    @Test func ruleSharesHaveOneRowPerRuleWorldBackend() {
        let csv = ExportCSV.ruleShares(RenderSample.report())
        let records = Self.parse(csv)
        #expect(records[0] == ["rule", "world", "backend", "configured_share", "observed_share", "requests"])
        let shares = RenderSample.report().rules.reduce(0) { $0 + $1.before.count + $1.after.count }
        #expect(records.count == 1 + shares)
        #expect(records.contains(["httproute/shop/storefront/rule/0", "after", "shop/store-v2:8080", "0.2000", "0.1625", "26"]))
    }

    @Test func exampleExportMatchesNotebooksData() throws {
        let dir = Self.updating ? Self.exampleDirectory : Self.temporaryDirectory()
        defer { if !Self.updating { try? FileManager.default.removeItem(atPath: dir) } }
        let session = try ExportWriter.begin(directory: dir)
        for row in RenderSample.rows() { try session.add(row) }
        try session.finish(report: RenderSample.report())
        #expect(session.rowsWritten == RenderSample.report().changed)
        #expect(try Self.read(dir, ExportWriter.summaryFile) == ImpactReportRenderer.json(RenderSample.report()))
        guard !Self.updating else { return }
        for name in [ExportWriter.changedRequestsFile, ExportWriter.ruleSharesFile, ExportWriter.summaryFile] {
            #expect(try Self.read(dir, name) == Self.read(Self.exampleDirectory, name),
                    "notebooks-data/example/\(name) is stale (GWSIM_UPDATE_GOLDEN=1 to rewrite)")
        }
    }

    /// Many rows stream through the buffer without loss.
    @Test func manyRowsAreAllWritten() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let session = try ExportWriter.begin(directory: dir)
        let template = RenderSample.rows()[0]
        for i in 0..<5_000 {
            var row = template
            row.id = "r-\(i)"
            try session.add(row)
        }
        try session.finish(report: RenderSample.report())
        let records = Self.parse(try Self.read(dir, ExportWriter.changedRequestsFile))
        #expect(records.count == 5_001)
        #expect(records.last?.first == "r-4999")
    }

    static let updating = ProcessInfo.processInfo.environment["GWSIM_UPDATE_GOLDEN"] == "1"

    /// A minimal RFC 4180 reader (CRLF records, quoted fields with doubled quotes).
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false, wasQuoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" && field.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else if c == "," {
                record.append(field); field = ""; wasQuoted = false
            } else if c == "\r" && chars.first == "\n" {
                chars.removeFirst()
                record.append(field); records.append(record)
                record = []; field = ""; wasQuoted = false
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}

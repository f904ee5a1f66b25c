@testable import Replay
import Testing

/// The locale-free formatting and escaping every renderer relies on.
@Suite struct RenderFormatTests {
    @Test func counts() {
        #expect(RenderFormat.count(0) == "0")
        #expect(RenderFormat.count(999) == "999")
        #expect(RenderFormat.count(1_000) == "1,000")
        #expect(RenderFormat.count(12_345_678) == "12,345,678")
        #expect(RenderFormat.count(-1_234) == "-1,234")
    }

    @Test func fixedAndPercent() {
        #expect(RenderFormat.fixed(0.25, 4) == "0.2500")
        #expect(RenderFormat.fixed(1, 4) == "1.0000")
        #expect(RenderFormat.fixed(0.00005, 4) == "0.0001")
        #expect(RenderFormat.fixed(-0.5, 1) == "-0.5")
        #expect(RenderFormat.fixed(.nan, 2) == "0.00")
        #expect(RenderFormat.percent(12_345, of: 100_000) == "12.35%")
        #expect(RenderFormat.percent(0, of: 0) == "0.00%")
        #expect(RenderFormat.percent(3, of: 1_000_000) == "<0.01%")
        #expect(RenderFormat.percent(999_999, of: 1_000_000) == ">99.99%")
        #expect(RenderFormat.percent(1, of: 1) == "100.00%")
        #expect(RenderFormat.percent(0.9, decimals: 1) == "90.0%")
    }

    @Test func times() {
        #expect(RenderFormat.isoTime(0) == "1970-01-01T00:00:00.000000Z")
        #expect(RenderFormat.isoTime(1_740_830_400_250_000) == "2025-03-01T12:00:00.250000Z")
        #expect(RenderFormat.humanTime(951_782_400_000_000) == "2000-02-29 00:00:00 UTC")
        #expect(RenderFormat.isoTime(-1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func jsonStringEscaping() {
        var out = ""
        RenderJSONValue.writeString("a\"b\\c\nd\u{01}e\u{2028}é", to: &out)
        #expect(out == "\"a\\\"b\\\\c\\nd\\u0001e\\u2028é\"")
        let doc = RenderJSONValue.object([("b", .int(1)), ("a", .array([])), ("c", .object([]))]).serialized()
        #expect(doc == "{\n  \"b\": 1,\n  \"a\": [],\n  \"c\": {}\n}\n")
    }

    @Test func markdownEscaping() {
        #expect(RenderMarkdownParts.code("a|b") == "`a\\|b`")
        #expect(RenderMarkdownParts.inlineCode("a|b") == "`a|b`")
        #expect(RenderMarkdownParts.code("x`y") == "`` x`y ``")
        #expect(RenderMarkdownParts.text("<b>*x*</b> | y\nz") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| y z")
        let md = ImpactReportRenderer.markdown(RenderSample.hostile())
        for line in md.split(separator: "\n") where line.hasPrefix("|") {
            // Every row of a table keeps its column count: no unescaped `|` from data.
            let unescaped = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect([4, 5, 6].contains(unescaped), "\(line)")
        }
        #expect(md.contains("&lt;b&gt;unexpected EOF&lt;/b&gt;"))
        #expect(!md.contains("\n<script>"))
    }

    @Test func jsonHasTheDocumentedKeysAndEveryCategory() {
        let json = ImpactReportRenderer.json(RenderSample.report())
        for key in ["schema", "input", "requests", "changed", "changedFraction", "newlyFailing", "newlySucceeding", "categories",
                    "statusTransitions", "byHostname", "byRoute", "byRule", "rules", "patterns", "statusChanges", "unreachedRules", "unreachedChangedRules",
                    "unmatchedBaseline", "timeline", "trace", "with", "without", "at", "first", "last", "warning",
                    "requestsBefore", "requestsAfter", "configured", "observed", "backend"] {
            #expect(json.contains("\"\(key)\": "), "\(key)")
        }
        for c in ChangeCategory.allCases { #expect(json.contains("\"\(c.rawValue)\": "), "\(c)") }
        #expect(json.contains("\"schema\": \"gwsim.replay-report/v1\""))
        #expect(json.contains("\"configured\": 0.7500"))
        #expect(json.contains("\"warning\": null"))
    }
}

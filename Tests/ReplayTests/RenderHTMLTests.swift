import Foundation
@testable import Replay
import Testing

/// Smoke checks of the HTML page: well-formed enough for any browser, fully
/// offline, and no way for recorded request text to inject markup.
@Suite struct RenderHTMLTests {
    static func count(_ needle: String, in s: String) -> Int {
        s.components(separatedBy: needle).count - 1
    }

    @Test func mainTagsAreBalanced() {
        let html = ImpactReportRenderer.html(RenderSample.report())
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        for tag in ["html", "head", "body", "main", "section", "table", "thead", "tbody", "tr", "svg", "details", "figure", "dl", "ul", "style", "title", "code"] {
            #expect(Self.count("<\(tag)>", in: html) + Self.count("<\(tag) ", in: html) == Self.count("</\(tag)>", in: html), "<\(tag)>")
        }
        #expect(Self.count("<html", in: html) == 1 && Self.count("<body>", in: html) == 1)
    }

    @Test func hasTheThreeChartsAndTables() {
        let html = ImpactReportRenderer.html(RenderSample.report())
        // One share chart per weighted rule, the timeline and the categories.
        #expect(Self.count("<svg class=\"chart\"", in: html) == RenderSample.report().rules.count + 2)
        #expect(html.contains("Changes over time") && html.contains("Change categories") && html.contains("Backend shares"))
        #expect(html.contains("change applies"))
        #expect(html.contains("<code>shop/<wbr>store-v2:8080</code>"))
    }

    @Test func isSelfContained() {
        let html = ImpactReportRenderer.html(RenderSample.hostile())
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "http://", "https://"] {
            #expect(!html.lowercased().contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func escapesHostileText() {
        let html = ImpactReportRenderer.html(RenderSample.hostile())
        #expect(!html.contains("<script>") && !html.contains("<b>unexpected"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;|`"))
        #expect(!html.contains("alert('x')"))
    }

    @Test func largeReportsAreCut() {
        let r = RenderSample.large()
        let text = ImpactReportRenderer.text(r)
        #expect(text.contains("Changed by hostname (top 10 of 14)"))
        #expect(!text.contains("host-13.example.com") && text.contains("host-00.example.com"))
        let html = ImpactReportRenderer.html(r)
        #expect(html.contains("Changed requests by hostname (10 of 14)"))
        #expect(Self.count("<rect class=\"changed\"", in: html) == r.timeline.count)
    }

    /// The engine lists every rule with backends; only differing ones are shown.
    @Test func unchangedRulesAreHiddenAndCounted() {
        var r = RenderSample.report()
        let same = BackendShare(backend: "shop/static:80", configured: 1, observed: 1, requests: 32)
        r.rules.append(RuleShares(rule: "httproute/shop/static/rule/0", requestsBefore: 32, requestsAfter: 32, before: [same], after: [same]))
        for i in 0..<25 {
            let b = BackendShare(backend: "ns/b:80", configured: 1, observed: 1, requests: i)
            r.rules.append(RuleShares(rule: "httproute/ns/r\(i)/rule/0", requestsBefore: i, requestsAfter: i + 1, before: [b], after: [b]))
        }
        for rendering in [ImpactReportRenderer.text(r), ImpactReportRenderer.markdown(r), ImpactReportRenderer.html(r)] {
            #expect(!rendering.contains("httproute/shop/static/rule/0"))
            #expect(rendering.contains("1 rule with unchanged shares not shown."))
            #expect(rendering.contains("(first 20 of 27)"))
        }
        #expect(ImpactReportRenderer.json(r).contains("httproute/shop/static/rule/0"))
    }

    @Test func emptyReportStillRenders() {
        let html = ImpactReportRenderer.html(ImpactReport(input: ReplayInput(trace: "t")))
        #expect(html.contains("0 of 0 requests (0.00%) would change; 0 newly failing"))
        #expect(!html.contains("<svg"))
        #expect(html.hasSuffix("</html>\n"))
    }
}

/// `GWSIM_RENDER_SAMPLE=DIR` writes the sample report in every format to DIR
/// (`report.txt`, `report.md`, `report.html`, `report.json`) for eyeballing, e.g.
/// a headless-browser screenshot of the HTML.
@Suite struct RenderSampleOutput {
    @Test func writeSampleWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["GWSIM_RENDER_SAMPLE"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = RenderSample.report()
        try ImpactReportRenderer.text(r).write(toFile: dir + "/report.txt", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.text(r, color: true).write(toFile: dir + "/report-color.txt", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.markdown(r).write(toFile: dir + "/report.md", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.html(r).write(toFile: dir + "/report.html", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.html(RenderSample.hostile()).write(toFile: dir + "/hostile.html", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.json(r).write(toFile: dir + "/report.json", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.html(RenderSample.large()).write(toFile: dir + "/large.html", atomically: true, encoding: .utf8)
        try ImpactReportRenderer.text(RenderSample.large()).write(toFile: dir + "/large.txt", atomically: true, encoding: .utf8)
    }
}

/// `--verify` results appear in the JSON (once) and the HTML page.
@Suite struct RenderVerificationTests {
    static func verified() -> ImpactReport {
        var r = RenderSample.report()
        r.verification = Verification(observed: 240, agreed: 238, examples: [
            Disagreement(id: "r-0007", timeMicros: RenderSample.t0 + 7_000_000, recorded: "HTTPRoute/shop/storefront rule 0 -> shop/store-v2:8080 200",
                         baseline: "HTTPRoute/shop/storefront rule 0 -> shop/store-v1:8080"),
        ])
        return r
    }

    @Test func jsonCarriesVerificationOnce() {
        let json = ImpactReportRenderer.json(Self.verified())
        #expect(json.contains("\n  \"verification\": {\n    \"observed\": 240,"))
        #expect(ImpactReportRenderer.json(RenderSample.report()).hasSuffix("\n  \"verification\": null,\n  \"gates\": []\n}\n"))
    }

    @Test func htmlShowsVerification() {
        let html = ImpactReportRenderer.html(Self.verified())
        #expect(html.contains("238 of 240 recorded outcomes reproduced by the baseline (99.17% agreement)."))
        #expect(html.contains("... and 1 more disagreements."))
        #expect(!ImpactReportRenderer.html(RenderSample.report()).contains("Verify:"))
    }
}

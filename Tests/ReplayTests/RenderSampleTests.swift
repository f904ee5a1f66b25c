import Foundation
@testable import Replay
import Testing

/// A hand-built report of a tiny replay (240 requests, one hour): a canary
/// moved from 90/10 to 80/20, a new API backend at 25%, a removed legacy route
/// and a new preview route, all applying from 12:15. The numbers agree with
/// each other and with `rows()`, so the example export reads like a real one.
enum RenderSample {
    static let t0: Int64 = 1_740_830_400_000_000 // 2025-03-01 12:00:00 UTC
    static let minute: Int64 = 60_000_000

    static func report() -> ImpactReport {
        var input = ReplayInput(trace: "traces/shop-sample.jsonl.zst", with: ["scenarios/shop/canary-80-20.yaml", "scenarios/shop/api-v2.yaml"],
                                without: ["scenarios/shop/legacy-route.yaml"], atMicros: t0 + 15 * minute)
        input.firstEventMicros = t0
        input.lastEventMicros = t0 + 59 * minute + 58_000_000
        var r = ImpactReport(input: input)
        r.requests = 240
        r.changed = 23
        r.newlyFailing = 3
        r.newlySucceeding = 2
        r.unmatchedBaseline = 5
        r.categories = [.backend: 18, .routeOrRule: 5, .status: 5, .newlyRouted: 2, .newlyUnrouted: 3]
        r.statusTransitions = [Transition(from: "forward", to: "404", count: 3), Transition(from: "404", to: "forward", count: 2)]
        r.byHostname = [
            Breakdown(key: "shop.example.com", requests: 163, changed: 15, newlyFailing: 3),
            Breakdown(key: "api.example.com", requests: 45, changed: 8, newlyFailing: 0),
            Breakdown(key: "static.example.com", requests: 32, changed: 0, newlyFailing: 0),
        ]
        r.byRoute = [
            Breakdown(key: "httproute/shop/storefront", requests: 160, changed: 12, newlyFailing: 0),
            Breakdown(key: "httproute/shop/api", requests: 40, changed: 6, newlyFailing: 0),
            Breakdown(key: "httproute/shop/legacy", requests: 3, changed: 3, newlyFailing: 3),
            Breakdown(key: "httproute/shop/api-v2-preview", requests: 2, changed: 2, newlyFailing: 0),
            Breakdown(key: "httproute/shop/static", requests: 32, changed: 0, newlyFailing: 0),
        ]
        r.byRule = [
            Breakdown(key: "httproute/shop/storefront/rule/0", requests: 160, changed: 12, newlyFailing: 0),
            Breakdown(key: "httproute/shop/api/rule/1", requests: 30, changed: 6, newlyFailing: 0),
            Breakdown(key: "httproute/shop/legacy/rule/0", requests: 3, changed: 3, newlyFailing: 3),
            Breakdown(key: "httproute/shop/api-v2-preview/rule/0", requests: 2, changed: 2, newlyFailing: 0),
        ]
        r.rules = [
            RuleShares(rule: "httproute/shop/api/rule/1", requestsBefore: 30, requestsAfter: 30,
                       before: [BackendShare(backend: "shop/api-v1:9090", configured: 1, observed: 1, requests: 30)],
                       after: [BackendShare(backend: "shop/api-v1:9090", configured: 0.75, observed: 0.8, requests: 24),
                               BackendShare(backend: "shop/api-v2:9090", configured: 0.25, observed: 0.2, requests: 6)]),
            RuleShares(rule: "httproute/shop/storefront/rule/0", requestsBefore: 160, requestsAfter: 160,
                       before: [BackendShare(backend: "shop/store-v1:8080", configured: 0.9, observed: 0.9125, requests: 146),
                                BackendShare(backend: "shop/store-v2:8080", configured: 0.1, observed: 0.0875, requests: 14)],
                       after: [BackendShare(backend: "shop/store-v1:8080", configured: 0.8, observed: 0.8375, requests: 134),
                               BackendShare(backend: "shop/store-v2:8080", configured: 0.2, observed: 0.1625, requests: 26)]),
        ]
        r.patterns = [
            ChangedPattern(method: "GET", host: "shop.example.com", pathTemplate: "/products/*", before: "forward shop/store-v1:8080",
                           after: "forward shop/store-v2:8080", categories: [.backend], count: 9, examples: ["r-0061", "r-0076", "r-0091"]),
            ChangedPattern(method: "GET", host: "api.example.com", pathTemplate: "/v1/orders/*", before: "forward shop/api-v1:9090",
                           after: "forward shop/api-v2:9090", categories: [.routeOrRule, .backend], count: 6, examples: ["r-0064", "r-0079", "r-0094"]),
            ChangedPattern(method: "GET", host: "shop.example.com", pathTemplate: "/cart", before: "forward shop/store-v1:8080",
                           after: "forward shop/store-v2:8080", categories: [.backend], count: 3, examples: ["r-0067", "r-0082", "r-0097"]),
            ChangedPattern(method: "GET", host: "shop.example.com", pathTemplate: "/legacy/*", before: "forward shop/legacy:8080",
                           after: "404", categories: [.status, .newlyUnrouted], count: 3, examples: ["r-0070", "r-0085", "r-0100"]),
            ChangedPattern(method: "POST", host: "api.example.com", pathTemplate: "/api/v2/*", before: "404",
                           after: "forward shop/api-v2:9090", categories: [.status, .newlyRouted], count: 2, examples: ["r-0073", "r-0088"]),
        ]
        r.statusChanges = [
            StatusChange(object: "HTTPRoute/shop/api-v2-preview", parent: "Gateway/shop/public-gw", condition: "Accepted", before: "absent", after: "True"),
            StatusChange(object: "HTTPRoute/shop/legacy", parent: "Gateway/shop/public-gw", condition: "Accepted", before: "True", after: "absent"),
        ]
        r.unreachedRules = ["httproute/shop/api-v2-preview/rule/1"]
        r.unreachedChangedRules = ["httproute/shop/api-v2-preview/rule/1"]
        let times = rows().map(\.timeMicros)
        r.timeline = (0..<12).map { i in
            let start = t0 + Int64(i) * 5 * minute
            return TimeBucket(startMicros: start, requests: 20, changed: times.filter { $0 >= start && $0 < start + 5 * minute }.count)
        }
        return r
    }

    /// The 23 changed requests behind `report()`, in log order.
    static func rows() -> [ChangedRequestRow] {
        typealias Side = ChangedRequestRow.Side
        let v1 = Side(route: "httproute/shop/storefront", rule: "httproute/shop/storefront/rule/0", backend: "shop/store-v1:8080", status: "forward", statusCode: nil)
        let v2 = Side(route: "httproute/shop/storefront", rule: "httproute/shop/storefront/rule/0", backend: "shop/store-v2:8080", status: "forward", statusCode: nil)
        let api1 = Side(route: "httproute/shop/api", rule: "httproute/shop/api/rule/1", backend: "shop/api-v1:9090", status: "forward", statusCode: nil)
        let api2 = Side(route: "httproute/shop/api", rule: "httproute/shop/api/rule/1", backend: "shop/api-v2:9090", status: "forward", statusCode: nil)
        let legacy = Side(route: "httproute/shop/legacy", rule: "httproute/shop/legacy/rule/0", backend: "shop/legacy:8080", status: "forward", statusCode: nil)
        let preview = Side(route: "httproute/shop/api-v2-preview", rule: "httproute/shop/api-v2-preview/rule/0", backend: "shop/api-v2:9090", status: "forward", statusCode: nil)
        let none = Side(route: nil, rule: nil, backend: nil, status: "404", statusCode: 404)
        // (kind, host, method, path, before, after, categories), cycled in this order.
        let kinds: [(String, String, String, Side, Side, [ChangeCategory])] = [
            ("shop.example.com", "GET", "/products/%d", v1, v2, [.backend]),
            ("api.example.com", "GET", "/v1/orders/%d?expand=items,customer", api1, api2, [.backend]),
            ("shop.example.com", "GET", "/cart", v1, v2, [.backend]),
            ("shop.example.com", "GET", "/legacy/item/%d", legacy, none, [.routeOrRule, .status, .newlyUnrouted]),
            ("api.example.com", "POST", "/api/v2/orders", none, preview, [.routeOrRule, .status, .newlyRouted]),
        ]
        var remaining = [9, 6, 3, 3, 2]
        var rows: [ChangedRequestRow] = []
        var id = 61
        while remaining.contains(where: { $0 > 0 }) {
            for (k, kind) in kinds.enumerated() where remaining[k] > 0 {
                remaining[k] -= 1
                let path = kind.2.replacingOccurrences(of: "%d", with: String(1000 + id * 7 % 97))
                let time = t0 + 15 * minute + Int64(id - 61) * 40_000_000 + Int64(id * 37 % 1000) * 1000
                rows.append(ChangedRequestRow(id: "r-" + RenderFormat.pad(id, 4), timeMicros: time, method: kind.1, host: kind.0, path: path,
                                              before: kind.3, after: kind.4, categories: kind.5))
                id += 3
            }
        }
        return rows
    }

    /// A bigger report (14 hostnames, 72 time buckets, a four-way split with
    /// long names, a warning) to check cut-offs and layout.
    static func large() -> ImpactReport {
        var r = report()
        r.requests = 1_234_567
        r.changed = 98_765
        r.input.warning = "trace ended early: truncated zstd frame after 1,234,567 events"
        r.byHostname = (0..<14).map { Breakdown(key: "host-" + RenderFormat.pad($0, 2) + ".example.com", requests: 90_000 - $0 * 1_000, changed: 9_000 - $0 * 500, newlyFailing: $0 % 3) }
        let names = ["payments-gateway-primary-blue", "payments-gateway-primary-green", "payments-gateway-canary-experimental", "payments-shadow"]
        r.rules.append(RuleShares(rule: "httproute/payments-production/payments-gateway-public-api/rule/12", requestsBefore: 500_000, requestsAfter: 500_000,
                                  before: names.prefix(3).enumerated().map { BackendShare(backend: "payments-production/\(names[$0.offset]):8443", configured: [0.6, 0.3, 0.1][$0.offset], observed: [0.61, 0.29, 0.1][$0.offset], requests: [305_000, 145_000, 50_000][$0.offset]) },
                                  after: names.enumerated().map { BackendShare(backend: "payments-production/\($0.element):8443", configured: 0.25, observed: [0.26, 0.24, 0.25, 0.25][$0.offset], requests: [130_000, 120_000, 125_000, 125_000][$0.offset]) }))
        r.timeline = (0..<72).map { i in TimeBucket(startMicros: t0 + Int64(i) * minute, requests: 17_000, changed: i < 20 ? 0 : 1_200 + (i * 37 % 11) * 40) }
        return r
    }

    /// A report whose strings try to break out of every format.
    static func hostile() -> ImpactReport {
        var r = report()
        let evil = "<script>alert('x')</script>&\"|`"
        r.input.trace = "traces/" + evil
        r.input.warning = "trace truncated at line 7: <b>unexpected EOF</b>\n\u{1B}[31mred"
        r.byHostname.insert(Breakdown(key: evil + ".example.com", requests: 9, changed: 9, newlyFailing: 9), at: 0)
        r.patterns[0].host = evil
        r.patterns[0].pathTemplate = "/a|b\nc"
        r.rules[0].before[0].backend = "ns/" + evil + ":80"
        r.unreachedRules.append("httproute/ns/" + evil + "/rule/0")
        return r
    }
}

@Suite struct RenderDeterminismTests {
    @Test func renderingTwiceGivesIdenticalBytes() {
        for report in [RenderSample.report(), RenderSample.hostile(), ImpactReport(input: ReplayInput(trace: "t"))] {
            #expect(ImpactReportRenderer.text(report) == ImpactReportRenderer.text(report))
            #expect(ImpactReportRenderer.text(report, color: true) == ImpactReportRenderer.text(report, color: true))
            #expect(ImpactReportRenderer.markdown(report) == ImpactReportRenderer.markdown(report))
            #expect(ImpactReportRenderer.html(report) == ImpactReportRenderer.html(report))
            #expect(ImpactReportRenderer.json(report) == ImpactReportRenderer.json(report))
        }
    }

    /// Dictionary order must not leak: the same categories inserted in another
    /// order render the same.
    @Test func categoryInsertionOrderDoesNotMatter() {
        let a = RenderSample.report()
        var b = a
        b.categories = [:]
        for c in ChangeCategory.allCases.reversed() { if let n = a.categories[c] { b.categories[c] = n } }
        #expect(ImpactReportRenderer.json(a) == ImpactReportRenderer.json(b))
        #expect(ImpactReportRenderer.text(a) == ImpactReportRenderer.text(b))
        #expect(ImpactReportRenderer.html(a) == ImpactReportRenderer.html(b))
    }

    @Test func sampleRowsAgreeWithSampleReport() {
        let rows = RenderSample.rows()
        let report = RenderSample.report()
        #expect(rows.count == report.changed)
        #expect(rows.filter { $0.after.status == "404" }.count == report.newlyFailing)
        for c in ChangeCategory.allCases {
            #expect(rows.filter { $0.categories.contains(c) }.count == report.categories[c] ?? 0, "\(c)")
        }
        #expect(rows.allSatisfy { $0.timeMicros >= report.input.atMicros! && $0.timeMicros <= report.input.lastEventMicros! })
    }

    @Test func plainTextHasNoEscapeCodesAndColorDoes() {
        let r = RenderSample.hostile()
        #expect(!ImpactReportRenderer.text(r).contains("\u{1B}"))
        let colored = ImpactReportRenderer.text(r, color: true)
        #expect(colored.contains("\u{1B}[1;31m"))
        // The hostile warning's own escape sequence is neutralised, ours are not.
        #expect(colored.contains("\\u{1b}[31mred"))
    }
}

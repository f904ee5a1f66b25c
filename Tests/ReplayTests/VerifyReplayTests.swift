import EventLog
@testable import Replay
import Testing

@Suite struct VerifyReplayTests {
    /// Requests 0..<n alternate between an outcome the baseline reproduces and one it does not.
    func events(_ count: Int, mismatchEvery: Int) -> [Event] {
        var events = TraceFixture.events(route: TraceFixture.exactFoo, requests: 0)
        for i in 0..<count {
            let observed: ObservedOutcome
            if mismatchEvery > 0, i % mismatchEvery == 0 {
                observed = ObservedOutcome(route: "HTTPRoute/app/web", rule: 0, backend: "app/nginx:80", status: 200)
            } else if i % 2 == 0 {
                observed = ObservedOutcome(route: "HTTPRoute/app/web", rule: 0, backend: "app/whoami:80", status: 200, latencyMs: 3)
            } else {
                observed = ObservedOutcome(status: 404)
            }
            let path = i % 2 == 0 ? "/foo" : "/"
            events.append(TraceFixture.request(i, at: TraceFixture.t0 + TraceFixture.second + Int64(i) * 1_000, path: path, observed: observed))
        }
        events.append(TraceFixture.request(count, at: TraceFixture.t0 + 2 * TraceFixture.second))   // nothing observed
        return events
    }

    @Test func matchingOutcomesAgreeFully() throws {
        let r = try replay(events(100, mismatchEvery: 0), verify: true).report
        let v = try #require(r.verification)
        #expect(v.observed == 100)
        #expect(v.agreed == 100)
        #expect(v.agreement == 1)
        #expect(v.examples.isEmpty)
        #expect(r.unmatchedBaseline == 51)   // the odd requests and the last one ask for /
        #expect(!(try FailOnExpression(parsing: "disagreement>0").trips(r)))
    }

    @Test func mismatchesAreListedInLogOrder() throws {
        let r = try replay(events(100, mismatchEvery: 4), verify: true, chunkSize: 7).report
        let v = try #require(r.verification)
        #expect(v.observed == 100)
        #expect(v.disagreements == 25)
        #expect(v.examples.count == 10)
        #expect(v.examples.map(\.id) == (0..<10).map { "req-\($0 * 4)" })
        #expect(v.examples.first?.recorded == "HTTPRoute/app/web rule 0 -> app/nginx:80 200")
        #expect(v.examples.first?.baseline == "HTTPRoute/app/web rule 0 -> app/whoami:80")
        #expect(try FailOnExpression(parsing: "disagreement>0").trips(r))
        #expect(v.text.contains("75 of 100"))
        let json = ImpactReportRenderer.json(r)
        #expect(json.contains("\"verification\": {"))
        #expect(json.hasSuffix("}\n"))
    }

    /// A 404 or 421 the gateway answered itself (no route, no backend) is not what a
    /// forwarding baseline does; another status with no route named came from a backend.
    @Test func gatewayAnsweredStatusesDisagreeWithAForwardingBaseline() throws {
        var events = TraceFixture.events(route: TraceFixture.exactFoo, requests: 0)
        for (i, status) in [404, 421, 200, 503].enumerated() {
            events.append(TraceFixture.request(i, at: TraceFixture.t0 + TraceFixture.second + Int64(i) * 1_000, path: "/foo",
                                               observed: ObservedOutcome(status: status)))
        }
        let v = try #require(try replay(events, verify: true).report.verification)
        #expect(v.observed == 4 && v.agreed == 2)
        #expect(v.examples.map(\.recorded) == ["404", "421"])
    }

    /// The recorded outcomes are checked against the baseline, whatever the
    /// change does, and the same whether requests are compared per verdict pair or one by one.
    @Test func verificationIgnoresTheChange() throws {
        let change = ReplayChange(objects: TraceFixture.objects(TraceFixture.even))
        let unchanged = try #require(try replay(events(100, mismatchEvery: 4), verify: true).report.verification)
        let paired = try #require(try replay(events(100, mismatchEvery: 4), change: change, verify: true).report.verification)
        let single = try #require(try replay(events(100, mismatchEvery: 4), change: change, verify: true, chunkSize: 1,
                                             comparesPairsOnce: false).report.verification)
        #expect(paired.disagreements == 25)
        #expect(paired.examples.map(\.baseline) == unchanged.examples.map(\.baseline))
        #expect(paired.examples.map(\.id) == single.examples.map(\.id))
        #expect(paired.examples.map(\.baseline) == single.examples.map(\.baseline))
    }

    @Test func aRecorded404WithoutRouteDisagreesWithAForward() throws {
        var events = TraceFixture.events(requests: 0)
        events.append(TraceFixture.request(0, at: TraceFixture.t0 + TraceFixture.second, observed: ObservedOutcome(status: 404)))
        let v = try #require(try replay(events, verify: true).report.verification)
        #expect(v.disagreements == 1)
        #expect(v.examples.first?.baseline.hasPrefix("HTTPRoute/app/web rule 0 -> app/") == true)
    }

    @Test func withoutVerifyThereIsNoVerification() throws {
        #expect(try replay(events(10, mismatchEvery: 2)).report.verification == nil)
    }
}

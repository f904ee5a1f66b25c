@testable import Replay
import Testing

@Suite struct FailOnExpressionTests {
    func report(requests: Int = 1_000, changed: Int = 0, newlyFailing: Int = 0, unmatched: Int = 0) -> ImpactReport {
        var r = ImpactReport(input: ReplayInput(trace: "t.zst"))
        r.requests = requests
        r.changed = changed
        r.newlyFailing = newlyFailing
        r.unmatchedBaseline = unmatched
        return r
    }

    @Test func parses() throws {
        let e = try FailOnExpression(parsing: "changed>1%")
        #expect(e.metric == .changed && e.op == .greater && e.value == 1 && e.isPercent)
        let f = try FailOnExpression(parsing: " newly-failing >= 100 ")
        #expect(f.metric == .newlyFailing && f.op == .greaterOrEqual && f.value == 100 && !f.isPercent)
        #expect(try FailOnExpression(parsing: "unmatched<=5.5%").op == .lessOrEqual)
        #expect(try FailOnExpression(parsing: "status-changes==0").op == .equal)
        #expect(try FailOnExpression(parsing: "unreached-rules<1").op == .less)
        #expect(try FailOnExpression(parsing: "disagreement>0").metric == .disagreement)
        #expect(try FailOnExpression(parsing: "newly-succeeding>0").metric == .newlySucceeding)
    }

    @Test func rejectsBadExpressionsNamingThem() {
        for (text, fragment) in [("changed", "expected METRIC OP VALUE"), ("chnaged>1", "unknown metric \"chnaged\""),
                                 ("changed=>1", "unknown operator"), ("changed!=1", "unknown operator"), ("changed>", "missing value"),
                                 ("changed>abc", "not a non-negative decimal number"), (">1", "missing metric"), ("changed>150%", "between 0 and 100"),
                                 ("changed>-1", "not a non-negative decimal number"), ("changed>1 0", "spaces are allowed around the operator only"),
                                 ("c hanged>1", "unexpected space between \"c\" and \"hanged>1\"")] {
            do {
                _ = try FailOnExpression(parsing: text)
                Issue.record("\(text) parsed")
            } catch let error as FailOnExpression.ParseError {
                #expect(error.description.contains("\"\(text)\""), "\(error)")
                #expect(error.message.contains(fragment), "\(text): \(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func evaluates() throws {
        let r = report(changed: 20, newlyFailing: 3, unmatched: 60)
        #expect(try FailOnExpression(parsing: "changed>1%").trips(r))          // 2%
        #expect(!(try FailOnExpression(parsing: "changed>2%").trips(r)))
        #expect(try FailOnExpression(parsing: "changed>=2%").trips(r))
        #expect(try FailOnExpression(parsing: "changed>=20").trips(r))
        #expect(!(try FailOnExpression(parsing: "changed>=21").trips(r)))
        #expect(try FailOnExpression(parsing: "newly-failing>0").trips(r))
        #expect(!(try FailOnExpression(parsing: "newly-succeeding>0").trips(r)))
        #expect(try FailOnExpression(parsing: "unmatched>5%").trips(r))        // 6%
        #expect(try FailOnExpression(parsing: "status-changes==0").trips(r))
        #expect(!(try FailOnExpression(parsing: "unreached-rules>0").trips(r)))
        #expect(!(try FailOnExpression(parsing: "changed>0").trips(report(requests: 0))))
        #expect(try FailOnExpression(parsing: "changed>1%").explain(r) == "--fail-on changed>1%: changed is 2%")
    }

    @Test func disagreementUsesTheObservedRequests() throws {
        var r = report()
        r.verification = Verification(observed: 200, agreed: 190)
        #expect(try FailOnExpression(parsing: "disagreement>0").trips(r))
        #expect(try FailOnExpression(parsing: "disagreement==5%").trips(r))
        r.verification = Verification(observed: 200, agreed: 200)
        #expect(!(try FailOnExpression(parsing: "disagreement>0").trips(r)))
    }

    /// The gates' results travel in the report, so that a report posted on a pull
    /// request says which gate failed the check.
    @Test func reportsCarryTheGatesResults() throws {
        var report = ImpactReport(input: ReplayInput(trace: "t.zst", with: ["c.yaml"], without: []))
        report.requests = 200
        report.changed = 5
        report.gates = try ["changed>1%", "newly-failing>0"].map { try FailOnExpression(parsing: $0).result(report) }
        #expect(report.gates == [GateResult(expression: "changed>1%", metric: "changed", value: "2.5%", tripped: true),
                                 GateResult(expression: "newly-failing>0", metric: "newly-failing", value: "0", tripped: false)])
        #expect(ImpactReportRenderer.markdown(report).contains("| `changed>1%` | 2.5% | **tripped** |"))
        #expect(ImpactReportRenderer.text(report).contains("TRIPPED"))
        #expect(ImpactReportRenderer.json(report).contains(#""expression": "changed>1%""#))
        #expect(ImpactReportRenderer.html(report).contains("tripped"))
    }

    /// `status-regressions` counts what stops working, not every status difference: an
    /// added route's new conditions and its listener's count are changes only.
    @Test func statusRegressionsCountOnlyWhatStopsWorking() throws {
        func change(_ condition: String, _ before: String, _ after: String) -> StatusChange {
            StatusChange(object: "HTTPRoute/a/r", parent: "Gateway/a/g", condition: condition, before: before, after: after)
        }
        var report = ImpactReport(input: ReplayInput(trace: "t.zst"))
        report.statusChanges = [
            change("ResolvedRefs", "True ResolvedRefs", "False RefNotPermitted"),
            change("Accepted", "absent", "True Accepted"),
            change("Accepted", "True Accepted", "absent"),
            change("attachedRoutes", "4", "5"),
            change("Conflicted", "False NoConflicts", "True HostnameConflict"),
            change("Programmed", "False Invalid", "True Programmed"),
        ]
        #expect(report.statusChanges.map(\.isRegression) == [true, false, false, false, true, false])
        #expect(try FailOnExpression(parsing: "status-regressions>1").actual(in: report) == 2)
        #expect(try FailOnExpression(parsing: "status-changes>1").actual(in: report) == 6)
    }
}

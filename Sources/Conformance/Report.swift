import GatewayAPI

/// The outcome of one case.
public struct CaseResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        /// The first few differences, each naming step, request and deciding rule.
        case failed([String])
        case skipped(String)
    }

    public var name: String
    public var profile: String
    public var level: String
    public var file: String
    public var outcome: Outcome

    public init(name: String, profile: String, level: String, file: String, outcome: Outcome) {
        self.name = name
        self.profile = profile
        self.level = level
        self.file = file
        self.outcome = outcome
    }

    public var resultName: String {
        switch outcome {
        case .passed: "pass"
        case .failed: "fail"
        case .skipped: "skip"
        }
    }
}

/// The results of a run, with text and JSON renderings for the CLI.
public struct ConformanceReport: Sendable {
    public var cases: [CaseResult]
    /// Case files that could not be read (they count as failures).
    public var errors: [String]
    /// `in-process` (decisions from the routing core) or `live` (real HTTP through the proxy).
    public var mode: String

    public init(cases: [CaseResult], errors: [String] = [], mode: String = "in-process") {
        self.cases = cases
        self.errors = errors
        self.mode = mode
    }

    public var passed: [CaseResult] { cases.filter { $0.outcome == .passed } }
    public var failed: [CaseResult] { cases.filter { if case .failed = $0.outcome { true } else { false } } }
    public var skipped: [CaseResult] { cases.filter { if case .skipped = $0.outcome { true } else { false } } }

    /// `N passed, N failed, N skipped` (the last line of the text report).
    public var summaryLine: String { "\(passed.count) passed, \(failed.count + errors.count) failed, \(skipped.count) skipped" }

    /// Counts per profile and level, in profile then level order.
    public var groups: [(profile: String, level: String, passed: Int, failed: Int, skipped: Int)] {
        let keys = Set(cases.map { "\($0.profile)\u{0}\($0.level)" }).sorted()
        return keys.map { key in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let group = cases.filter { $0.profile == parts[0] && $0.level == parts[1] }
            return (parts[0], parts[1], group.filter { $0.outcome == .passed }.count,
                    group.filter { $0.resultName == "fail" }.count, group.filter { $0.resultName == "skip" }.count)
        }
    }

    public var text: String {
        var lines: [String] = []
        for c in cases {
            switch c.outcome {
            case .passed: lines.append("PASS  \(c.name)")
            case .failed(let differences):
                lines.append("FAIL  \(c.name)")
                lines += differences.map { "      \($0)" }
            case .skipped(let reason): lines.append("SKIP  \(c.name): \(reason)")
            }
        }
        lines += errors.map { "ERROR \($0)" }
        lines.append("")
        for g in groups {
            lines.append("\(g.profile) \(g.level): \(g.passed) passed, \(g.failed) failed, \(g.skipped) skipped")
        }
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: String {
        let caseValues: [Value] = cases.map { c in
            var pairs: [(String, Value)] = [("name", .string(c.name)), ("profile", .string(c.profile)),
                                            ("level", .string(c.level)), ("result", .string(c.resultName))]
            switch c.outcome {
            case .passed: break
            case .failed(let differences): pairs.append(("differences", .array(differences.map(Value.string))))
            case .skipped(let reason): pairs.append(("reasons", .array([.string(reason)])))
            }
            return .object(pairs)
        }
        let groupValues: [Value] = groups.map { g in
            .object([("profile", .string(g.profile)), ("level", .string(g.level)), ("passed", .int(g.passed)),
                     ("failed", .int(g.failed)), ("skipped", .int(g.skipped))])
        }
        let summary: Value = .object([("passed", .int(passed.count)), ("failed", .int(failed.count + errors.count)),
                                      ("skipped", .int(skipped.count)), ("groups", .array(groupValues))])
        return Value.object([("mode", .string(mode)), ("cases", .array(caseValues)), ("errors", .array(errors.map(Value.string))),
                             ("summary", summary)]).toJSON() + "\n"
    }
}

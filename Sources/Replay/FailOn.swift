/// A `--fail-on` gate: `METRIC OP VALUE[%]`, e.g. `changed>1%`, `newly-failing>0`.
///
/// Metrics: `changed`, `newly-failing`, `newly-succeeding`, `unmatched` (counts
/// of requests; a percentage is of all replayed requests), `status-changes`,
/// `status-regressions` (those of them where something stops working, StatusChange.isRegression),
/// `unreached-rules`, `unreached-changed-rules` (the change's own rules no request
/// reached) (counts of report entries; a percentage is of requests too),
/// `disagreement` (`--verify`: requests whose recorded outcome the baseline does
/// not reproduce; a percentage is of requests with a recorded outcome).
/// Operators: `>`, `>=`, `<`, `<=`, `==`. Spaces are allowed around the operator, nowhere else.
public struct FailOnExpression: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: String, Sendable, CaseIterable {
        case changed
        case newlyFailing = "newly-failing"
        case newlySucceeding = "newly-succeeding"
        case statusChanges = "status-changes"
        case statusRegressions = "status-regressions"
        case unreachedRules = "unreached-rules"
        case unreachedChangedRules = "unreached-changed-rules"
        case unmatched
        case disagreement

        /// Counts replayed requests (the others count report entries).
        public var countsRequests: Bool {
            switch self {
            case .changed, .newlyFailing, .newlySucceeding, .unmatched, .disagreement: true
            case .statusChanges, .statusRegressions, .unreachedRules, .unreachedChangedRules: false
            }
        }
    }

    public enum Operator: String, Sendable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case equal = "=="
        case greater = ">"
        case less = "<"
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var expression: String
        public var message: String
        public var description: String { "invalid --fail-on expression \"\(expression)\": \(message)" }
    }

    public var text: String
    public var metric: Metric
    public var op: Operator
    public var value: Double
    public var isPercent: Bool

    public var description: String { text }

    public init(parsing text: String) throws {
        self.text = text
        func fail(_ message: String) -> ParseError { ParseError(expression: text, message: message) }
        // Spaces may surround the operator, never split a name or a number (`changed>1 0`).
        let words = text.split(whereSeparator: \.isWhitespace)
        for (left, right) in zip(words, words.dropFirst()) where !"<>=!".contains(left.last!) && !"<>=!".contains(right.first!) {
            throw fail("unexpected space between \"\(left)\" and \"\(right)\"; spaces are allowed around the operator only")
        }
        let trimmed = words.joined()
        guard let opStart = trimmed.firstIndex(where: { "<>=!".contains($0) }) else {
            throw fail("expected METRIC OP VALUE with OP one of >, >=, <, <=, == (e.g. changed>1%)")
        }
        let name = String(trimmed[..<opStart])
        guard !name.isEmpty else { throw fail("missing metric before the operator") }
        guard let metric = Metric(rawValue: name.lowercased()) else {
            throw fail("unknown metric \"\(name)\"; expected one of " + Metric.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let rest = trimmed[opStart...]
        guard let op = Operator.allCases.first(where: { rest.hasPrefix($0.rawValue) }) else {
            throw fail("unknown operator in \"\(rest)\"; expected >, >=, <, <= or ==")
        }
        var number = String(rest.dropFirst(op.rawValue.count))
        let isPercent = number.hasSuffix("%")
        if isPercent { number.removeLast() }
        guard !number.isEmpty else { throw fail("missing value after \"\(op.rawValue)\"") }
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number), value.isFinite else {
            throw fail("\"\(number)\(isPercent ? "%" : "")\" is not a non-negative decimal number or percentage, like 5, 0.5 or 1%")
        }
        if isPercent, value > 100 { throw fail("a percentage must be between 0 and 100") }
        self.metric = metric
        self.op = op
        self.value = value
        self.isPercent = isPercent
    }

    /// The metric's value in `report`: a count, or a percentage when the expression has `%`.
    public func actual(in report: ImpactReport) -> Double {
        let count: Int
        var base = report.requests
        switch metric {
        case .changed: count = report.changed
        case .newlyFailing: count = report.newlyFailing
        case .newlySucceeding: count = report.newlySucceeding
        case .statusChanges: count = report.statusChanges.count
        case .statusRegressions: count = report.statusChanges.filter(\.isRegression).count
        case .unreachedRules: count = report.unreachedRules.count
        case .unreachedChangedRules: count = report.unreachedChangedRules.count
        case .unmatched: count = report.unmatchedBaseline
        case .disagreement:
            count = report.verification?.disagreements ?? 0
            base = report.verification?.observed ?? 0
        }
        guard isPercent else { return Double(count) }
        return base == 0 ? 0 : Double(count) * 100 / Double(base)
    }

    /// True when the gate trips (the condition holds).
    public func trips(_ report: ImpactReport) -> Bool {
        let x = actual(in: report)
        switch op {
        case .greater: return x > value
        case .greaterOrEqual: return x >= value
        case .less: return x < value
        case .lessOrEqual: return x <= value
        case .equal: return x == value
        }
    }

    /// The gate evaluated on `report`.
    public func result(_ report: ImpactReport) -> GateResult {
        let x = actual(in: report)
        return GateResult(expression: text, metric: metric.rawValue, value: isPercent ? Self.format(x) + "%" : Self.format(x), tripped: trips(report))
    }

    /// `changed>1% tripped: 2.35%` style explanation.
    public func explain(_ report: ImpactReport) -> String {
        "--fail-on \(text): \(metric.rawValue) is \(result(report).value)"
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        let scaled = (x * 100).rounded() / 100
        return String(scaled)
    }
}

/// One `--fail-on` gate as evaluated: the expression, the metric's value in the
/// report (`2.35%`, `12`), and whether it tripped (exit status 1).
public struct GateResult: Sendable, Equatable {
    public var expression: String
    public var metric: String
    public var value: String
    public var tripped: Bool
}

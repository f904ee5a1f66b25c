extension ImpactReportRenderer {
    /// The terminal summary: headline first (what a reviewer needs), then the
    /// detail sections, each omitted when empty so a no-op change stays short.
    /// ASCII only apart from the report's own strings; `color` adds ANSI
    /// styling (bold titles, red for newly failing, yellow for warnings).
    public static func text(_ report: ImpactReport, color: Bool = false) -> String {
        var w = RenderTextWriter(color: color)
        let r = RenderSanitize.mapStrings(report, RenderSanitize.printable)

        w.line(w.bold("gwsim replay: ") + r.input.trace)
        for path in r.input.with { w.line("  with:    " + path) }
        for path in r.input.without { w.line("  without: " + path) }
        if let window = RenderSentences.window(r.input) { w.line("  window:  " + window) }
        w.line("  change:  applies " + RenderSentences.appliesFrom(r.input))
        w.blank()
        let headline = RenderSentences.headline(r)
        w.line(r.newlyFailing > 0 ? w.red(headline) : (r.changed == 0 ? w.green(headline) : w.bold(headline)))
        if let warning = r.input.warning {
            w.blank()
            w.line(w.yellow("Warning: " + warning))
        }

        if r.changed > 0 {
            w.section("Categories (a request may count in several)")
            var t = RenderTextTable([("CATEGORY", .left), ("REQUESTS", .right), ("OF CHANGED", .right)])
            for (c, n) in RenderOrder.categories(r.categories) {
                t.add([c.rawValue, RenderFormat.count(n), RenderFormat.percent(n, of: r.changed, decimals: 1)])
            }
            w.table(t)
        }

        if !r.statusTransitions.isEmpty {
            let top = RenderOrder.transitions(r.statusTransitions)
            w.section("Top transitions" + ofTotal(top.count, RenderLimits.transitions))
            var t = RenderTextTable([("FROM", .left), ("TO", .left), ("REQUESTS", .right)])
            for x in top.prefix(RenderLimits.transitions) { t.add([x.from, x.to, RenderFormat.count(x.count)]) }
            w.table(t)
        }

        breakdown(&w, "hostname", r.byHostname)
        breakdown(&w, "route", r.byRoute)
        breakdown(&w, "rule", r.byRule)

        let shares = RenderShares.shown(r.rules)
        if !shares.rules.isEmpty {
            let caption = RenderShares.caption(shares)
            w.section("Backend shares (before -> after)" + caption.suffix)
            if let note = caption.note { w.line(w.dim("  " + note)) }
            for rule in shares.rules {
                w.line("  " + w.bold(rule.rule) + "  requests \(RenderFormat.count(rule.requestsBefore)) -> \(RenderFormat.count(rule.requestsAfter))")
                var t = RenderTextTable([("BACKEND", .left), ("CONFIGURED", .left), ("OBSERVED", .left), ("REQUESTS", .left)])
                for p in RenderShares.pairs(rule) {
                    t.add([
                        p.backend,
                        RenderShares.configured(p.before) + " -> " + RenderShares.configured(p.after),
                        RenderShares.observed(p.before) + " -> " + RenderShares.observed(p.after),
                        RenderShares.requests(p.before) + " -> " + RenderShares.requests(p.after),
                    ])
                }
                w.table(t, indent: 4)
            }
        }

        if !r.patterns.isEmpty {
            w.section("Top patterns" + ofTotal(r.patterns.count, RenderLimits.patterns))
            for p in r.patterns.prefix(RenderLimits.patterns) {
                w.line("  \(RenderFormat.count(p.count))  \(RenderSentences.patternRequest(p))")
                w.line("      \(p.before) -> \(RenderSentences.patternAfter(p))")
                if !p.examples.isEmpty { w.line(w.dim("      e.g. " + p.examples.joined(separator: ", "))) }
            }
        }

        if !r.statusChanges.isEmpty {
            w.section("Status changes")
            for s in r.statusChanges {
                w.line("  \(RenderSentences.statusObject(s)): \(s.condition): \(s.before) -> \(s.after)")
            }
        }

        if !r.unreachedRules.isEmpty {
            w.section("Unreached candidate rules (\(RenderFormat.count(r.unreachedRules.count))"
                + (r.unreachedChangedRules.isEmpty ? ")" : "; \(RenderFormat.count(r.unreachedChangedRules.count)) of the change)"))
            let changed = Set(r.unreachedChangedRules)
            for rule in r.unreachedRules { w.line("  " + rule + (changed.contains(rule) ? "  (the change)" : "")) }
        }

        if r.unmatchedBaseline > 0 {
            w.blank()
            w.line("Unmatched in baseline: \(RenderFormat.count(r.unmatchedBaseline)) requests (404 no route before the change)")
        }
        if !r.gates.isEmpty {
            w.section("Gates (--fail-on)")
            var t = RenderTextTable([("EXPRESSION", .left), ("VALUE", .right), ("RESULT", .left)])
            for g in r.gates { t.add([g.expression, g.value, g.tripped ? "TRIPPED" : "passed"]) }
            w.table(t)
        }
        if r.refusedBeforeRouting > 0 {
            w.blank()
            w.line(RenderSentences.refused(r.refusedBeforeRouting))
        }
        return w.output
    }

    /// One "Changed by X" table: top rows by changed requests.
    private static func breakdown(_ w: inout RenderTextWriter, _ what: String, _ rows: [Breakdown]) {
        let changed = RenderOrder.breakdowns(rows).filter { $0.changed > 0 }
        guard !changed.isEmpty else { return }
        w.section("Changed by \(what)" + ofTotal(changed.count, RenderLimits.breakdownRows))
        var t = RenderTextTable([
            (what.uppercased(), .left), ("REQUESTS", .right), ("CHANGED", .right), ("CHANGED %", .right), ("NEWLY FAILING", .right),
        ])
        for b in changed.prefix(RenderLimits.breakdownRows) {
            t.add([
                b.key, RenderFormat.count(b.requests), RenderFormat.count(b.changed),
                RenderFormat.percent(b.changed, of: b.requests, decimals: 1), RenderFormat.count(b.newlyFailing),
            ])
        }
        w.table(t)
    }

    /// " (top 10 of 42)" when a list is cut, else "".
    private static func ofTotal(_ total: Int, _ limit: Int) -> String {
        total > limit ? " (top \(limit) of \(RenderFormat.count(total)))" : ""
    }
}

/// Accumulates the terminal output; styling is a no-op without color so the
/// plain rendering never contains escape codes.
struct RenderTextWriter {
    let color: Bool
    private(set) var output = ""

    init(color: Bool) { self.color = color }

    mutating func line(_ s: String) { output += s + "\n" }
    mutating func blank() { output += "\n" }
    mutating func section(_ title: String) {
        blank()
        line(bold(title))
    }
    mutating func table(_ t: RenderTextTable, indent: Int = 2) {
        for l in t.lines(indent: indent, header: dim) { line(l) }
    }

    func style(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }
    func bold(_ s: String) -> String { style(s, "1") }
    func dim(_ s: String) -> String { style(s, "2") }
    func red(_ s: String) -> String { style(s, "1;31") }
    func green(_ s: String) -> String { style(s, "1;32") }
    func yellow(_ s: String) -> String { style(s, "33") }
}

extension ImpactReportRenderer {
    /// A GitHub-flavored Markdown pull-request comment: a bold verdict line a
    /// reviewer can read in the notification, a summary table, then details
    /// folded into `<details>` so a large report does not swamp the thread.
    /// Identifiers are code spans; every cell is escaped (`|`, newlines, HTML).
    public static func markdown(_ report: ImpactReport) -> String {
        let r = RenderSanitize.mapStrings(report, RenderSanitize.printable)
        var out: [String] = []
        out.append("### gwsim replay impact")
        out.append("")
        out.append(RenderMarkdownParts.verdict(r))
        out.append("")
        if let warning = r.input.warning {
            out.append("> **Warning:** " + RenderMarkdownParts.text(warning))
            out.append("")
        }

        var summary = RenderMarkdownParts.Table(["", "requests", "share of replayed"], right: [false, true, true])
        summary.add(["Replayed", RenderFormat.count(r.requests), ""])
        summary.add(["**Changed**", "**\(RenderFormat.count(r.changed))**", "**\(RenderFormat.percent(r.changed, of: r.requests))**"])
        summary.add(["Newly failing", RenderFormat.count(r.newlyFailing), RenderFormat.percent(r.newlyFailing, of: r.requests)])
        summary.add(["Newly succeeding", RenderFormat.count(r.newlySucceeding), RenderFormat.percent(r.newlySucceeding, of: r.requests)])
        summary.add(["Unmatched in baseline (404)", RenderFormat.count(r.unmatchedBaseline), RenderFormat.percent(r.unmatchedBaseline, of: r.requests)])
        for (c, n) in RenderOrder.categories(r.categories) where n > 0 {
            summary.add(["Changed: " + RenderMarkdownParts.code(c.rawValue), RenderFormat.count(n), RenderFormat.percent(n, of: r.requests)])
        }
        out += summary.lines
        out.append("")
        if r.refusedBeforeRouting > 0 {
            out.append(RenderMarkdownParts.text(RenderSentences.refused(r.refusedBeforeRouting) + "."))
            out.append("")
        }
        if !r.gates.isEmpty {
            var t = RenderMarkdownParts.Table(["gate (`--fail-on`)", "value", "result"], right: [false, true, false])
            for g in r.gates { t.add([RenderMarkdownParts.code(g.expression), RenderMarkdownParts.text(g.value), g.tripped ? "**tripped**" : "passed"]) }
            out += t.lines
            out.append("")
        }
        out.append(RenderMarkdownParts.inputLine(r.input))
        out.append("")

        let shares = RenderShares.shown(r.rules)
        if !shares.rules.isEmpty {
            let caption = RenderShares.caption(shares)
            out.append("#### Backend shares" + caption.suffix)
            out.append("")
            out.append("Configured weight share; in parentheses, the share of the rule's replayed requests that went to the backend."
                       + (caption.note.map { " " + $0 } ?? ""))
            out.append("")
            var t = RenderMarkdownParts.Table(["rule", "backend", "before", "after", "requests"], right: [false, false, true, true, true])
            for rule in shares.rules {
                for (i, p) in RenderShares.pairs(rule).enumerated() {
                    t.add([i == 0 ? RenderMarkdownParts.code(rule.rule) : "", RenderMarkdownParts.code(p.backend), RenderMarkdownParts.share(p.before), RenderMarkdownParts.share(p.after),
                           RenderShares.requests(p.before) + " -> " + RenderShares.requests(p.after)])
                }
            }
            out += t.lines
            out.append("")
        }

        if !r.statusTransitions.isEmpty {
            let top = RenderOrder.transitions(r.statusTransitions)
            var t = RenderMarkdownParts.Table(["from", "to", "requests"], right: [false, false, true])
            for x in top.prefix(RenderLimits.transitions) { t.add([RenderMarkdownParts.code(x.from), RenderMarkdownParts.code(x.to), RenderFormat.count(x.count)]) }
            out += RenderMarkdownParts.details("Transitions (\(RenderFormat.count(top.count)))", t.lines)
        }
        out += RenderMarkdownParts.breakdown("hostname", r.byHostname)
        out += RenderMarkdownParts.breakdown("route", r.byRoute)
        out += RenderMarkdownParts.breakdown("rule", r.byRule)

        if !r.patterns.isEmpty {
            var t = RenderMarkdownParts.Table(["requests", "request", "before", "after", "examples"], right: [true, false, false, false, false])
            for p in r.patterns.prefix(RenderLimits.patterns) {
                t.add([
                    RenderFormat.count(p.count), RenderMarkdownParts.code(RenderSentences.patternRequest(p)), RenderMarkdownParts.code(p.before), RenderMarkdownParts.code(RenderSentences.patternAfter(p)),
                    p.examples.map(RenderMarkdownParts.code).joined(separator: ", "),
                ])
            }
            let shown = min(r.patterns.count, RenderLimits.patterns)
            out += RenderMarkdownParts.details("Top changed patterns (\(shown) of \(RenderFormat.count(r.patterns.count)))", t.lines, open: true)
        }

        if !r.statusChanges.isEmpty {
            var t = RenderMarkdownParts.Table(["object", "parent", "condition", "before", "after"], right: [false, false, false, false, false])
            for s in r.statusChanges {
                t.add([RenderMarkdownParts.code(s.object), s.parent.map(RenderMarkdownParts.code) ?? "", RenderMarkdownParts.code(s.condition), RenderMarkdownParts.code(s.before), RenderMarkdownParts.code(s.after)])
            }
            out += RenderMarkdownParts.details("Status changes (\(RenderFormat.count(r.statusChanges.count)))", t.lines, open: true)
        }

        if !r.unreachedRules.isEmpty {
            let changed = Set(r.unreachedChangedRules)
            out += RenderMarkdownParts.details("Unreached candidate rules (\(RenderFormat.count(r.unreachedRules.count))"
                                               + (changed.isEmpty ? ")" : "; \(RenderFormat.count(changed.count)) of the change)"),
                              r.unreachedRules.map { "- " + RenderMarkdownParts.inlineCode($0) + (changed.contains($0) ? " (the change)" : "") })
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Markdown building blocks for `ImpactReportRenderer.markdown`.
enum RenderMarkdownParts {
    /// "**Impact: 25.01% of replayed requests change (25,012 of 100,000); 0 newly failing.**"
    static func verdict(_ r: ImpactReport) -> String {
        if r.changed == 0 {
            return "**No impact: none of the \(RenderFormat.count(r.requests)) replayed requests change.**"
        }
        var s = "**Impact: \(RenderFormat.percent(r.changed, of: r.requests)) of replayed requests change "
            + "(\(RenderFormat.count(r.changed)) of \(RenderFormat.count(r.requests))); "
            + "\(RenderFormat.count(r.newlyFailing)) newly failing"
        if r.newlySucceeding > 0 { s += ", \(RenderFormat.count(r.newlySucceeding)) newly succeeding" }
        return s + ".**"
    }

    /// "Trace `t` with `a`, without `b`; window ...; change applies from ..."
    static func inputLine(_ i: ReplayInput) -> String {
        var s = "Trace " + inlineCode(i.trace)
        if !i.with.isEmpty { s += " with " + i.with.map(inlineCode).joined(separator: ", ") }
        if !i.without.isEmpty { s += (i.with.isEmpty ? "" : ";") + " without " + i.without.map(inlineCode).joined(separator: ", ") }
        if let w = RenderSentences.window(i) { s += "; events " + text(w) }
        return s + "; change applies " + text(RenderSentences.appliesFrom(i)) + "."
    }

    /// "90.0% (89.5%)" or "-".
    static func share(_ s: BackendShare?) -> String {
        guard let s else { return "-" }
        return RenderFormat.percent(s.configured, decimals: 1) + " (" + RenderFormat.percent(s.observed, decimals: 1) + ")"
    }

    static func breakdown(_ what: String, _ rows: [Breakdown]) -> [String] {
        let changed = RenderOrder.breakdowns(rows).filter { $0.changed > 0 }
        guard !changed.isEmpty else { return [] }
        var t = Table([what, "requests", "changed", "changed %", "newly failing"], right: [false, true, true, true, true])
        for b in changed.prefix(RenderLimits.breakdownRows) {
            t.add([code(b.key), RenderFormat.count(b.requests), RenderFormat.count(b.changed),
                   RenderFormat.percent(b.changed, of: b.requests, decimals: 1), RenderFormat.count(b.newlyFailing)])
        }
        let shown = min(changed.count, RenderLimits.breakdownRows)
        return details("Changed requests by \(what) (\(shown) of \(RenderFormat.count(changed.count)))", t.lines)
    }

    /// A `<details>` block; blank lines around the body so GitHub renders
    /// the Markdown inside it.
    static func details(_ summary: String, _ body: [String], open: Bool = false) -> [String] {
        [open ? "<details open>" : "<details>", "<summary>" + RenderFormat.html(summary) + "</summary>", ""]
            + body + ["", "</details>", ""]
    }

    /// Plain text safe in a table cell or paragraph: Markdown punctuation
    /// backslash-escaped, HTML-significant characters as entities, newlines as spaces.
    static func text(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~": out += "\\" + String(c)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// An identifier as a code span. `|` stays escaped (GFM splits table cells
    /// before parsing code spans); backticks get a longer fence.
    static func code(_ s: String) -> String { code(s, inTable: true) }

    /// A code span outside a table: `|` needs no escape there.
    static func inlineCode(_ s: String) -> String { code(s, inTable: false) }

    static func code(_ s: String, inTable: Bool) -> String {
        var body = ""
        for c in s.unicodeScalars {
            switch c {
            case "|" where inTable: body += "\\|"
            case "\n", "\r", "\t": body += " "
            default: body.unicodeScalars.append(c)
            }
        }
        if body.isEmpty { return "" }
        var longest = 0, run = 0
        for c in body { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = body.hasPrefix("`") || body.hasSuffix("`") || longest > 0 ? " " : ""
        return fence + pad + body + pad + fence
    }

    /// A GFM pipe table.
    struct Table {
        var header: [String]
        var right: [Bool]
        var rows: [[String]] = []

        init(_ header: [String], right: [Bool]) {
            self.header = header
            self.right = right
        }

        mutating func add(_ cells: [String]) { rows.append(cells) }

        var lines: [String] {
            func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
            return [line(header), "|" + right.map { $0 ? "---:" : "---" }.joined(separator: "|") + "|"] + rows.map(line)
        }
    }
}

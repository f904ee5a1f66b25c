extension ImpactReportRenderer {
    /// One self-contained HTML file: inline CSS, inline SVG charts, no script,
    /// font, image or link to fetch, so it opens offline and can be attached to
    /// a CI run as-is. Every report string is escaped (`& < > " '`).
    public static func html(_ report: ImpactReport) -> String {
        let r = RenderSanitize.mapStrings(report, RenderSanitize.printable)
        var h = RenderHTMLWriter()
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        h.raw("<title>gwsim replay impact: " + RenderFormat.html(r.input.trace) + "</title>\n")
        h.raw("<style>\n" + RenderHTMLStyle.css + "</style>\n</head>\n<body>\n<main>\n")

        h.raw("<header>\n<h1>gwsim replay impact</h1>\n")
        let verdictClass = r.newlyFailing > 0 ? "bad" : (r.changed == 0 ? "ok" : "warn")
        h.element("p", class: "verdict " + verdictClass, RenderSentences.headline(r) + ".")
        h.raw("<dl class=\"input\">\n")
        h.pair("trace", r.input.trace)
        if !r.input.with.isEmpty { h.pair("with", r.input.with.joined(separator: ", ")) }
        if !r.input.without.isEmpty { h.pair("without", r.input.without.joined(separator: ", ")) }
        if let window = RenderSentences.window(r.input) { h.pair("events", window) }
        h.pair("change applies", RenderSentences.appliesFrom(r.input))
        h.raw("</dl>\n</header>\n")
        if let warning = r.input.warning { h.element("p", class: "warning", "Warning: " + warning) }

        h.raw("<section class=\"cards\">\n")
        h.card("replayed", RenderFormat.count(r.requests), "")
        h.card("changed", RenderFormat.count(r.changed), RenderFormat.percent(r.changed, of: r.requests), cls: r.changed > 0 ? "warn" : "ok")
        h.card("newly failing", RenderFormat.count(r.newlyFailing), RenderFormat.percent(r.newlyFailing, of: r.requests), cls: r.newlyFailing > 0 ? "bad" : "ok")
        h.card("newly succeeding", RenderFormat.count(r.newlySucceeding), RenderFormat.percent(r.newlySucceeding, of: r.requests))
        h.card("unmatched in baseline", RenderFormat.count(r.unmatchedBaseline), "404 no route before")
        h.card("unreached rules", RenderFormat.count(r.unreachedRules.count), "in the candidate")
        h.raw("</section>\n")
        if r.refusedBeforeRouting > 0 { h.element("p", class: "note", RenderSentences.refused(r.refusedBeforeRouting) + ".") }
        if !r.gates.isEmpty {
            h.raw("<section>\n")
            h.element("h2", "Gates (--fail-on)")
            h.table(["gate", "value", "result"], r.gates.map { [.code($0.expression), .num($0.value), .text($0.tripped ? "tripped" : "passed")] })
            h.raw("</section>\n")
        }

        let shares = RenderShares.shown(r.rules)
        if !shares.rules.isEmpty {
            let caption = RenderShares.caption(shares)
            h.raw("<section>\n")
            h.element("h2", "Backend shares" + caption.suffix)
            if let note = caption.note { h.element("p", class: "note", note) }
            h.raw(RenderHTMLCharts.sharesLegend())
            for rule in shares.rules {
                h.raw("<figure>\n")
                h.element("figcaption", "\(rule.rule): \(RenderFormat.count(rule.requestsBefore)) -> \(RenderFormat.count(rule.requestsAfter)) requests")
                h.raw(RenderHTMLCharts.shares(rule))
                h.raw("</figure>\n")
            }
            var rows: [[RenderHTMLWriter.Cell]] = []
            for rule in shares.rules {
                for (i, p) in RenderShares.pairs(rule).enumerated() {
                    rows.append([.code(i == 0 ? rule.rule : ""), .code(p.backend), .num(RenderMarkdownParts.share(p.before)), .num(RenderMarkdownParts.share(p.after)),
                                 .num(RenderShares.requests(p.before) + " -> " + RenderShares.requests(p.after))])
                }
            }
            h.element("p", class: "note", "Configured weight share; in parentheses, the share of the rule's replayed requests that went to the backend.")
            h.table(["rule", "backend", "before", "after", "requests"], rows)
            h.raw("</section>\n")
        }

        if !r.timeline.isEmpty {
            h.raw("<section>\n<h2>Changes over time</h2>\n")
            h.raw(RenderHTMLCharts.timeline(r.timeline, at: r.input.atMicros))
            h.raw("</section>\n")
        }

        if r.changed > 0 {
            h.raw("<section>\n<h2>Change categories</h2>\n")
            h.element("p", class: "note", "A request may count in several categories.")
            h.raw(RenderHTMLCharts.categories(r.categories, changed: r.changed))
            h.raw("</section>\n")
        }

        if !r.statusTransitions.isEmpty {
            let top = RenderOrder.transitions(r.statusTransitions)
            h.raw("<section>\n<h2>Transitions</h2>\n")
            h.table(["from", "to", "requests"], top.prefix(RenderLimits.transitions).map { [.code($0.from), .code($0.to), .num(RenderFormat.count($0.count))] })
            h.raw("</section>\n")
        }

        let breakdowns = [("hostname", r.byHostname), ("route", r.byRoute), ("rule", r.byRule)]
            .map { ($0.0, RenderOrder.breakdowns($0.1).filter { $0.changed > 0 }) }
        if breakdowns.contains(where: { !$0.1.isEmpty }) {
            h.raw("<section>\n<h2>Breakdowns</h2>\n")
            for (what, rows) in breakdowns where !rows.isEmpty {
                let shown = min(rows.count, RenderLimits.breakdownRows)
                h.raw("<details open>\n")
                h.element("summary", "Changed requests by \(what) (\(shown) of \(RenderFormat.count(rows.count)))")
                h.table([what, "requests", "changed", "changed %", "newly failing"], rows.prefix(RenderLimits.breakdownRows).map {
                    [.code($0.key), .num(RenderFormat.count($0.requests)), .num(RenderFormat.count($0.changed)),
                     .num(RenderFormat.percent($0.changed, of: $0.requests, decimals: 1)), .num(RenderFormat.count($0.newlyFailing))]
                })
                h.raw("</details>\n")
            }
            h.raw("</section>\n")
        }

        if !r.patterns.isEmpty {
            let shown = min(r.patterns.count, RenderLimits.patterns)
            h.raw("<section>\n")
            h.element("h2", "Top changed patterns (\(shown) of \(RenderFormat.count(r.patterns.count)))")
            h.table(["requests", "request", "before", "after", "examples"], r.patterns.prefix(RenderLimits.patterns).map {
                [.num(RenderFormat.count($0.count)), .code(RenderSentences.patternRequest($0)), .code($0.before), .code(RenderSentences.patternAfter($0)),
                 .text($0.examples.joined(separator: ", "))]
            })
            h.raw("</section>\n")
        }

        if !r.statusChanges.isEmpty {
            h.raw("<section>\n<h2>Status changes</h2>\n")
            h.table(["object", "parent", "condition", "before", "after"], r.statusChanges.map {
                [.code($0.object), .code($0.parent ?? ""), .code($0.condition), .code($0.before), .code($0.after)]
            })
            h.raw("</section>\n")
        }

        if !r.unreachedRules.isEmpty {
            h.raw("<section>\n<h2>Unreached candidate rules</h2>\n<ul>\n")
            let changed = Set(r.unreachedChangedRules)
            for rule in r.unreachedRules {
                h.raw("<li><code>" + RenderFormat.html(rule) + "</code>" + (changed.contains(rule) ? " (the change)" : "") + "</li>\n")
            }
            h.raw("</ul>\n</section>\n")
        }

        if let v = r.verification { verificationSection(&h, v) }

        h.raw("<footer>Generated by gwsim replay. Report schema \(RenderFormat.html(jsonSchema)).</footer>\n")
        h.raw("</main>\n</body>\n</html>\n")
        return h.output
    }
}

extension ImpactReportRenderer {
    /// `--verify`: how well the baseline reproduces what the real gateway
    /// recorded — low agreement means the replay's predictions are suspect.
    static func verificationSection(_ h: inout RenderHTMLWriter, _ v: Verification) {
        h.raw("<section>\n<h2>Verify: baseline vs recorded outcomes</h2>\n")
        h.element("p", class: v.disagreements > 0 ? "verdict warn" : "verdict ok",
                  "\(RenderFormat.count(v.agreed)) of \(RenderFormat.count(v.observed)) recorded outcomes reproduced by the baseline "
                  + "(\(RenderFormat.percent(v.agreement)) agreement).")
        if !v.examples.isEmpty {
            h.table(["request", "time", "recorded", "baseline"], v.examples.map {
                [.code(RenderSanitize.printable($0.id)), .text(RenderFormat.humanTime($0.timeMicros)),
                 .code(RenderSanitize.printable($0.recorded)), .code(RenderSanitize.printable($0.baseline))]
            })
        }
        if v.disagreements > v.examples.count {
            h.element("p", class: "note", "... and \(RenderFormat.count(v.disagreements - v.examples.count)) more disagreements.")
        }
        h.raw("</section>\n")
    }
}

/// Accumulates HTML; the only way to add report text is through methods that
/// escape it (`raw` is for the renderer's own markup).
struct RenderHTMLWriter {
    private(set) var output = ""

    enum Cell {
        case text(String)
        case code(String)
        case num(String)

        var isNumeric: Bool {
            if case .num = self { return true }
            return false
        }
    }

    mutating func raw(_ s: String) { output += s }

    mutating func element(_ tag: String, class cls: String? = nil, _ text: String) {
        let attr = cls.map { " class=\"\(RenderFormat.html($0))\"" } ?? ""
        output += "<\(tag)\(attr)>" + RenderFormat.html(text) + "</\(tag)>\n"
    }

    mutating func pair(_ term: String, _ value: String) {
        output += "<dt>" + RenderFormat.html(term) + "</dt><dd>" + RenderFormat.html(value) + "</dd>\n"
    }

    mutating func card(_ label: String, _ value: String, _ detail: String, cls: String = "") {
        output += "<div class=\"card \(cls)\"><div class=\"value\">\(RenderFormat.html(value))</div>"
            + "<div class=\"label\">\(RenderFormat.html(label))</div><div class=\"detail\">\(RenderFormat.html(detail))</div></div>\n"
    }

    /// Escaped identifier text that may wrap after `/` (and only there), so
    /// long rule ids wrap at path segments instead of mid-token.
    static func breakable(_ s: String) -> String {
        RenderFormat.html(s).replacingOccurrences(of: "/", with: "/<wbr>")
    }

    mutating func table(_ headers: [String], _ rows: [[Cell]]) {
        output += "<div class=\"scroll\"><table>\n<thead><tr>"
        for (i, hd) in headers.enumerated() {
            let numeric = rows.first.map { i < $0.count && $0[i].isNumeric } ?? false
            output += (numeric ? "<th class=\"num\">" : "<th>") + RenderFormat.html(hd) + "</th>"
        }
        output += "</tr></thead>\n<tbody>\n"
        for row in rows {
            output += "<tr>"
            for cell in row {
                switch cell {
                case .text(let s): output += "<td>" + RenderFormat.html(s) + "</td>"
                case .code(let s): output += s.isEmpty ? "<td></td>" : "<td><code>" + Self.breakable(s) + "</code></td>"
                case .num(let s): output += "<td class=\"num\">" + RenderFormat.html(s) + "</td>"
                }
            }
            output += "</tr>\n"
        }
        output += "</tbody>\n</table></div>\n"
    }
}

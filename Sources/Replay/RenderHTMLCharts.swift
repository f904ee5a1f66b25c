/// The HTML report's charts as inline SVG strings built here, so the page needs
/// no script, library or network to draw them and renders the same everywhere.
/// Coordinates are printed with one decimal for byte-identical output; every
/// label is escaped; each bar carries a `<title>` tooltip with exact numbers.
enum RenderHTMLCharts {
    static let width = 760.0

    private static func n(_ x: Double) -> String { RenderFormat.fixed(x, 1) }
    private static func esc(_ s: String) -> String { RenderFormat.html(s) }

    /// Keeps SVG labels (which never wrap) to `max` characters by dropping the
    /// start: `ns/name:port` differs at the end, the namespace repeats. The
    /// full text stays in the tooltip.
    static func clip(_ s: String, _ max: Int) -> String {
        s.count <= max ? s : "…" + String(s.suffix(max - 1))
    }

    private static func svg(height: Double, label: String, _ body: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(esc(label))\">\n"
            + body + "</svg>\n"
    }

    private static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ cls: String, title: String) -> String {
        "<rect class=\"\(cls)\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(h))\"><title>\(esc(title))</title></rect>\n"
    }

    private static func text(_ x: Double, _ y: Double, _ s: String, cls: String = "", anchor: String = "start") -> String {
        let c = cls.isEmpty ? "" : " class=\"\(cls)\""
        return "<text\(c) x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(esc(s))</text>\n"
    }

    // MARK: (1) backend shares

    /// Paired horizontal bars per backend of one weighted rule: configured share
    /// before (grey) and after (blue); a dark tick marks the observed share.
    static func shares(_ rule: RuleShares) -> String {
        let pairs = RenderShares.pairs(rule)
        let labelW = 240.0, barX = labelW + 10, barW = 330.0, barH = 13.0, rowH = 2 * barH + 14
        var body = ""
        for (i, p) in pairs.enumerated() {
            let y = 6 + Double(i) * rowH
            body += "<g>\n<title>\(esc(p.backend))</title>\n"
            body += text(labelW, y + barH + 4, clip(p.backend, 32), cls: "label", anchor: "end")
            body += "</g>\n"
            for (j, (world, s)) in [("before", p.before), ("after", p.after)].enumerated() {
                let by = y + Double(j) * (barH + 2)
                let configured = s?.configured ?? 0, observed = s?.observed ?? 0
                let tip = "\(p.backend) \(world): configured \(RenderShares.configured(s)), observed \(RenderShares.observed(s)), \(RenderShares.requests(s)) requests"
                body += rect(barX, by, barW, barH, "track", title: tip)
                body += rect(barX, by, barW * configured, barH, world, title: tip)
                if s != nil {
                    let ox = barX + barW * observed
                    body += "<line class=\"observed\" x1=\"\(n(ox))\" y1=\"\(n(by - 2))\" x2=\"\(n(ox))\" y2=\"\(n(by + barH + 2))\"/>\n"
                }
                let value = s.map { RenderFormat.percent($0.configured, decimals: 1) + "  (obs. " + RenderFormat.percent($0.observed, decimals: 1) + ")" } ?? "absent"
                body += text(barX + barW + 8, by + barH - 2, "\(world) " + value, cls: "value")
            }
        }
        return svg(height: 8 + Double(pairs.count) * rowH, label: "Backend shares of \(rule.rule), before and after", body)
    }

    /// The legend shown once above the share charts.
    static func sharesLegend() -> String {
        "<div class=\"legend\"><span class=\"swatch before\"></span>before (configured)"
            + "<span class=\"swatch after\"></span>after (configured)"
            + "<span class=\"swatch tick\"></span>share of the rule's replayed requests</div>\n"
    }

    // MARK: (2) changes over time

    /// Changed requests per time bucket as vertical bars scaled to the busiest
    /// bucket (so a small change is still visible; totals are in the tooltips),
    /// with a dashed line where the change starts to apply.
    static func timeline(_ buckets: [TimeBucket], at: Int64?) -> String {
        guard !buckets.isEmpty else { return "" }
        let height = 230.0, left = 62.0, right = 16.0, top = 14.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxValue = max(1, buckets.map(\.changed).max() ?? 1)
        let step = plotW / Double(buckets.count)
        let gap = step > 4 ? step * 0.15 : 0
        func y(_ v: Int) -> Double { top + plotH - plotH * Double(v) / Double(maxValue) }
        var body = ""
        for v in [0, maxValue / 2, maxValue] {
            body += "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(y(v)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y(v)))\"/>\n"
            body += text(left - 6, y(v) + 4, RenderFormat.count(v), cls: "axis", anchor: "end")
        }
        for (i, b) in buckets.enumerated() {
            let x = left + Double(i) * step + gap / 2
            let tip = "\(RenderFormat.humanTime(b.startMicros)): \(RenderFormat.count(b.changed)) of \(RenderFormat.count(b.requests)) changed (\(RenderFormat.percent(b.changed, of: b.requests)))"
            body += rect(x, top, step - gap, plotH, "slot", title: tip)
            body += rect(x, y(b.changed), step - gap, top + plotH - y(b.changed), "changed", title: tip)
        }
        let labelIdx = Array(Set([0, buckets.count / 2, buckets.count - 1])).sorted()
        for i in labelIdx {
            let (x, anchor) = i == 0 ? (left, "start")
                : i == buckets.count - 1 ? (left + plotW, "end")
                : (left + Double(i) * step + step / 2, "middle")
            let span = buckets[buckets.count - 1].startMicros - buckets[0].startMicros
            body += text(x, height - bottom + 16, RenderFormat.axisTime(buckets[i].startMicros, span: span), cls: "axis", anchor: anchor)
        }
        if let at, buckets.count > 1 {
            let first = buckets[0].startMicros, last = buckets[buckets.count - 1].startMicros
            let span = Double(last - first) * Double(buckets.count) / Double(buckets.count - 1)
            if span > 0, at > first {
                let x = left + plotW * min(1, Double(at - first) / span)
                body += "<line class=\"marker\" x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(top + plotH))\"/>\n"
                body += text(x + 4, top + 10, "change applies", cls: "axis")
            }
        }
        body += "<line class=\"baseline\" x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\"/>\n"
        return svg(height: height, label: "Changed requests over time", body)
    }

    // MARK: (3) categories

    /// One horizontal bar per change category, every category shown.
    static func categories(_ counts: [ChangeCategory: Int], changed: Int) -> String {
        let rows = RenderOrder.categories(counts)
        let labelW = 130.0, barX = labelW + 10, barW = 480.0, rowH = 24.0
        let maxCount = max(1, rows.map(\.1).max() ?? 1)
        var body = ""
        for (i, (c, count)) in rows.enumerated() {
            let y = 6 + Double(i) * rowH
            let tip = "\(c.rawValue): \(RenderFormat.count(count)) requests (\(RenderFormat.percent(count, of: changed, decimals: 1)) of changed)"
            body += text(labelW, y + 13, c.rawValue, cls: "label", anchor: "end")
            body += rect(barX, y, barW * Double(count) / Double(maxCount), 16, "category", title: tip)
            let valueX = barX + barW * Double(count) / Double(maxCount) + 6
            body += text(valueX, y + 13, RenderFormat.count(count), cls: "value")
        }
        return svg(height: 10 + Double(rows.count) * rowH, label: "Changed requests per category", body)
    }
}

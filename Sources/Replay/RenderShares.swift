/// A rule's backends with their before and after shares side by side: the
/// union of both worlds, in before order, then backends new in after.
enum RenderShares {
    struct Pair {
        var backend: String
        var before: BackendShare?
        var after: BackendShare?
    }

    static func pairs(_ rule: RuleShares) -> [Pair] {
        var pairs: [Pair] = []
        var index: [String: Int] = [:]
        for s in rule.before where index[s.backend] == nil {
            index[s.backend] = pairs.count
            pairs.append(Pair(backend: s.backend, before: s, after: nil))
        }
        for s in rule.after {
            if let i = index[s.backend] {
                if pairs[i].after == nil { pairs[i].after = s }
            } else {
                index[s.backend] = pairs.count
                pairs.append(Pair(backend: s.backend, before: nil, after: s))
            }
        }
        return pairs
    }

    /// Whether a rule's shares or traffic differ between the worlds (compared
    /// at the precision shown). The report lists every rule with backends, so
    /// the human renderings show only these; the JSON and CSV keep them all.
    static func differs(_ rule: RuleShares) -> Bool {
        if rule.requestsBefore != rule.requestsAfter { return true }
        return pairs(rule).contains { p in
            guard let b = p.before, let a = p.after else { return true }
            return b.requests != a.requests || RenderFormat.fixed(b.configured, 4) != RenderFormat.fixed(a.configured, 4)
                || RenderFormat.fixed(b.observed, 4) != RenderFormat.fixed(a.observed, 4)
        }
    }

    /// The rules to show (differing ones, in report order, at most
    /// `RenderLimits.shareRules`), how many differ, and how many are unchanged.
    static func shown(_ rules: [RuleShares]) -> (rules: [RuleShares], differing: Int, unchanged: Int) {
        let differing = rules.filter(differs)
        return (Array(differing.prefix(RenderLimits.shareRules)), differing.count, rules.count - differing.count)
    }

    /// "Backend shares" section title suffix and note, e.g. " (top 20 of 31)"
    /// and "12 rules with unchanged shares not shown.".
    static func caption(_ s: (rules: [RuleShares], differing: Int, unchanged: Int)) -> (suffix: String, note: String?) {
        let suffix = s.differing > s.rules.count ? " (first \(s.rules.count) of \(RenderFormat.count(s.differing)))" : ""
        let note = s.unchanged == 0 ? nil
            : "\(RenderFormat.count(s.unchanged)) rule\(s.unchanged == 1 ? "" : "s") with unchanged shares not shown."
        return (suffix, note)
    }

    /// `90.0%`, or `-` when the backend is absent from that world.
    static func configured(_ s: BackendShare?) -> String { s.map { RenderFormat.percent($0.configured, decimals: 1) } ?? "-" }
    static func observed(_ s: BackendShare?) -> String { s.map { RenderFormat.percent($0.observed, decimals: 1) } ?? "-" }
    static func requests(_ s: BackendShare?) -> String { s.map { RenderFormat.count($0.requests) } ?? "-" }
}

/// Report strings come from recorded traffic (hostnames, paths, ids), so a
/// hostile request could carry terminal escape sequences or newlines. The
/// text, Markdown and HTML renderings pass every string through `printable`
/// first (JSON escapes them instead, keeping the exact value).
public enum RenderSanitize {
    /// Control characters (C0, DEL, C1) shown as `\u{1b}`-style escapes.
    public static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for c in s.unicodeScalars {
            if isControl(c) { out += "\\u{" + String(c.value, radix: 16) + "}" } else { out.unicodeScalars.append(c) }
        }
        return out
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0)
    }

    /// The report with `f` applied to every string it holds.
    static func mapStrings(_ r: ImpactReport, _ f: (String) -> String) -> ImpactReport {
        var r = r
        r.input.trace = f(r.input.trace)
        r.input.with = r.input.with.map(f)
        r.input.without = r.input.without.map(f)
        r.input.warning = r.input.warning.map(f)
        for i in r.statusTransitions.indices {
            r.statusTransitions[i].from = f(r.statusTransitions[i].from)
            r.statusTransitions[i].to = f(r.statusTransitions[i].to)
        }
        for i in r.byHostname.indices { r.byHostname[i].key = f(r.byHostname[i].key) }
        for i in r.byRoute.indices { r.byRoute[i].key = f(r.byRoute[i].key) }
        for i in r.byRule.indices { r.byRule[i].key = f(r.byRule[i].key) }
        for i in r.rules.indices {
            r.rules[i].rule = f(r.rules[i].rule)
            for j in r.rules[i].before.indices { r.rules[i].before[j].backend = f(r.rules[i].before[j].backend) }
            for j in r.rules[i].after.indices { r.rules[i].after[j].backend = f(r.rules[i].after[j].backend) }
        }
        for i in r.patterns.indices {
            r.patterns[i].method = f(r.patterns[i].method)
            r.patterns[i].host = f(r.patterns[i].host)
            r.patterns[i].pathTemplate = f(r.patterns[i].pathTemplate)
            r.patterns[i].before = f(r.patterns[i].before)
            r.patterns[i].after = f(r.patterns[i].after)
            r.patterns[i].examples = r.patterns[i].examples.map(f)
            r.patterns[i].detail = r.patterns[i].detail.map(f)
        }
        for i in r.statusChanges.indices {
            r.statusChanges[i].object = f(r.statusChanges[i].object)
            r.statusChanges[i].parent = r.statusChanges[i].parent.map(f)
            r.statusChanges[i].condition = f(r.statusChanges[i].condition)
            r.statusChanges[i].before = f(r.statusChanges[i].before)
            r.statusChanges[i].after = f(r.statusChanges[i].after)
        }
        r.unreachedRules = r.unreachedRules.map(f)
        r.unreachedChangedRules = r.unreachedChangedRules.map(f)
        for i in r.gates.indices { r.gates[i].expression = f(r.gates[i].expression) }
        return r
    }
}

/// RFC 4180 CSV encoding for the `--export` files: fields are quoted only when
/// they contain a comma, a double quote, CR or LF (quotes doubled inside), and
/// records end with CRLF. Recorded paths and hostnames are untrusted, so every
/// field goes through `field`, never string interpolation.
enum ExportCSV {
    static let lineEnding = "\r\n"

    static func field(_ s: String) -> String {
        let needsQuotes = s.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, CRLF-terminated.
    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + lineEnding
    }

    static let changedRequestsHeader = [
        "id", "time", "method", "host", "path",
        "before_route", "before_rule", "before_backend", "before_status",
        "after_route", "after_rule", "after_backend", "after_status",
        "categories",
    ]

    static let ruleSharesHeader = ["rule", "world", "backend", "configured_share", "observed_share", "requests"]

    /// A changed request as a `changed-requests.csv` record: absent route /
    /// rule / backend are empty fields; categories are joined with `;`.
    static func fields(_ row: ChangedRequestRow) -> [String] {
        [
            row.id, RenderFormat.isoTime(row.timeMicros), row.method, row.host, row.path,
            row.before.route ?? "", row.before.rule ?? "", row.before.backend ?? "", row.before.status,
            row.after.route ?? "", row.after.rule ?? "", row.after.backend ?? "", row.after.status,
            row.categories.map(\.rawValue).joined(separator: ";"),
        ]
    }

    /// `rule-shares.csv`: one record per rule x world x backend, in report
    /// order, world `before` then `after`; shares with 4 decimals.
    static func ruleShares(_ report: ImpactReport) -> String {
        var out = record(ruleSharesHeader)
        for rule in report.rules {
            for (world, shares) in [("before", rule.before), ("after", rule.after)] {
                for s in shares {
                    out += record([
                        rule.rule, world, s.backend,
                        RenderFormat.fixed(s.configured, 4), RenderFormat.fixed(s.observed, 4), String(s.requests),
                    ])
                }
            }
        }
        return out
    }
}

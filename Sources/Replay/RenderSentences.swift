/// Short summary sentences shared by the text, Markdown and HTML renderings.
enum RenderSentences {
    /// "12,345 of 100,000 requests (12.35%) would change; 0 newly failing".
    static func headline(_ r: ImpactReport) -> String {
        var s = "\(RenderFormat.count(r.changed)) of \(RenderFormat.count(r.requests)) requests "
            + "(\(RenderFormat.percent(r.changed, of: r.requests))) would change; "
            + "\(RenderFormat.count(r.newlyFailing)) newly failing"
        if r.newlySucceeding > 0 { s += ", \(RenderFormat.count(r.newlySucceeding)) newly succeeding" }
        return s
    }

    /// Requests the gateway refused before routing, which no change reaches.
    static func refused(_ count: Int) -> String {
        "\(RenderFormat.count(count)) more recorded request\(count == 1 ? " was" : "s were") refused by the gateway before routing "
            + "(malformed or too large) and would be in either world: not replayed"
    }

    /// "2025-03-01 12:00:00 UTC .. 2025-03-01 13:00:00 UTC", or nil when unknown.
    static func window(_ i: ReplayInput) -> String? {
        switch (i.firstEventMicros, i.lastEventMicros) {
        case (nil, nil): return nil
        case (let a, let b):
            return (a.map(RenderFormat.humanTime) ?? "?") + " .. " + (b.map(RenderFormat.humanTime) ?? "?")
        }
    }

    /// "from 2025-03-01 12:30:00 UTC", or "from the start".
    static func appliesFrom(_ i: ReplayInput) -> String {
        i.atMicros.map { "from " + RenderFormat.humanTime($0) } ?? "from the start of the trace"
    }

    /// "a pattern's before -> after" label: `GET shop.example.com /cart/*`.
    static func patternRequest(_ p: ChangedPattern) -> String {
        "\(p.method) \(p.host)\(p.pathTemplate)"
    }

    /// A pattern's after side; when it reads the same as the before side (a redirect to
    /// another Location, a rewritten path), with what changed and, for its first request,
    /// to what: `redirect 301 [redirect: Location http://a/x -> https://a/x]`.
    static func patternAfter(_ p: ChangedPattern) -> String {
        guard p.before == p.after else { return p.after }
        return "\(p.after) [\(p.categories.map(\.rawValue).joined(separator: ", "))\(p.detail.map { ": " + $0 } ?? "")]"
    }

    /// "(parent gw)" suffix or nothing.
    static func statusObject(_ s: StatusChange) -> String {
        s.parent.map { "\(s.object) (parent \($0))" } ?? s.object
    }
}

import EventLog
import RoutingCore

/// `--verify`: the baseline recomputed by the routing core against the outcomes
/// a real gateway recorded in the trace (`RequestRecord.observed`).
public struct Verification: Sendable, Equatable {
    /// Requests that carry an observed outcome.
    public var observed: Int
    /// Of those, requests whose baseline decision agrees with it.
    public var agreed: Int
    /// The first disagreements, in log order (at most `ReplayOptions.maxDisagreements`).
    public var examples: [Disagreement]

    public init(observed: Int = 0, agreed: Int = 0, examples: [Disagreement] = []) {
        self.observed = observed
        self.agreed = agreed
        self.examples = examples
    }

    public var disagreements: Int { observed - agreed }
    /// agreed / observed (1 when nothing was observed).
    public var agreement: Double { observed == 0 ? 1 : Double(agreed) / Double(observed) }
}

/// One request where the recorded outcome and the baseline differ.
public struct Disagreement: Sendable, Equatable {
    public var id: String
    public var timeMicros: Int64
    /// What the trace recorded, e.g. `HTTPRoute/shop/web rule 0 -> shop/web:8080 200`.
    public var recorded: String
    /// What the baseline decided, e.g. `HTTPRoute/shop/web rule 1 -> shop/web-v2:8080` or `404 (no route rule matches)`.
    public var baseline: String
}

/// The comparison rules (docs/replay.md, "Verify"): every member the trace
/// recorded must match; a status is compared only when the gateway answered
/// itself (the baseline does not forward), since a forwarded request's status
/// comes from the backend. A recorded 404 or 421 with neither route nor backend
/// means the gateway answered itself (no route, a misdirected request), so a
/// baseline that forwards disagrees.
enum VerifyCheck {
    static func agrees(_ o: ObservedOutcome, _ d: Decision) -> Bool {
        if let route = o.route {
            guard let r = d.route, matchesRoute(route, r) else { return false }
        }
        if let rule = o.rule {
            guard let r = d.route, r.rule == rule else { return false }
        }
        if let backend = o.backend {
            guard d.outcome == .forward, let b = d.backend, b.description == backend else { return false }
        }
        if let status = o.status {
            if d.outcome == .forward {
                if status == 404 || status == 421, o.route == nil, o.backend == nil { return false }
            } else if d.status != status {
                return false
            }
        }
        return true
    }

    /// `Kind/ns/name` (kind compared case-insensitively).
    static func matchesRoute(_ text: String, _ r: RuleRef) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        return parts[0].lowercased() == r.kind.lowercased() && parts[1] == r.namespace && parts[2] == r.name
    }

    static func describe(_ o: ObservedOutcome) -> String {
        var parts: [String] = []
        if let route = o.route { parts.append(route) }
        if let rule = o.rule { parts.append("rule \(rule)") }
        if let backend = o.backend { parts.append("-> \(backend)") }
        if let status = o.status { parts.append(String(status)) }
        return parts.isEmpty ? "(nothing)" : parts.joined(separator: " ")
    }

    static func describe(_ d: Decision) -> String {
        var text = ""
        if let r = d.route { text = "\(r.kind)/\(r.namespace)/\(r.name) rule \(r.rule)" }
        switch d.outcome {
        case .forward:
            text += (text.isEmpty ? "" : " ") + "-> " + (d.backend?.description ?? "?")
        case .redirect, .respond, .error:
            let label = SideKey.label(outcome: d.outcome, status: d.status ?? -1)
            text += (text.isEmpty ? "" : " ") + label
            if d.outcome == .error, let reason = d.reason { text += " (\(reason))" }
        }
        return text
    }
}

// MARK: output (until the renderers show it themselves)

extension Verification {
    /// A plain-text section: agreement rate and the first disagreements.
    public var text: String {
        guard observed > 0 else { return "Verify: no request in the trace has a recorded outcome; nothing to compare\n" }
        var out = "Verify: \(agreed) of \(observed) recorded outcomes reproduced by the baseline ("
            + RenderFormat.percent(agreement) + " agreement)\n"
        for d in examples {
            out += "  \(d.id) at \(RenderFormat.isoTime(d.timeMicros)): recorded \(d.recorded); baseline \(d.baseline)\n"
        }
        if disagreements > examples.count { out += "  ... and \(disagreements - examples.count) more\n" }
        return out
    }

    /// A Markdown section.
    public var markdown: String {
        guard observed > 0 else { return "### Verify\n\nNo request in the trace has a recorded outcome; nothing to compare.\n" }
        var out = "### Verify\n\n\(agreed) of \(observed) recorded outcomes reproduced by the baseline (**"
            + RenderFormat.percent(agreement) + "** agreement).\n"
        if !examples.isEmpty {
            out += "\n| request | time | recorded | baseline |\n|---|---|---|---|\n"
            for d in examples {
                out += "| `\(d.id)` | \(RenderFormat.isoTime(d.timeMicros)) | \(d.recorded) | \(d.baseline) |\n"
            }
        }
        return out
    }

    var jsonValue: RenderJSONValue {
        .object([
            ("observed", .int(observed)), ("agreed", .int(agreed)), ("disagreements", .int(disagreements)),
            ("agreement", .fixed(agreement, 6)),
            ("examples", .array(examples.map {
                .object([("id", .string($0.id)), ("time", .string(RenderFormat.isoTime($0.timeMicros))),
                         ("recorded", .string($0.recorded)), ("baseline", .string($0.baseline))])
            })),
        ])
    }
}

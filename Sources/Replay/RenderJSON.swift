extension ImpactReportRenderer {
    /// The schema id written as `schema`; bump the version on any breaking change
    /// (renamed or removed key, changed meaning). Adding keys is not breaking.
    public static let jsonSchema = "gwsim.replay-report/v1"

    /// The report as JSON, schema `gwsim.replay-report/v1` (documented in
    /// `notebooks-data/README.md`). Keys appear in a fixed order; lists keep the
    /// report's order (the engine sorts them); `categories` lists every category.
    /// Fractions: `changedFraction` with 6 decimals, shares with 4. Times are
    /// ISO 8601 UTC strings with microseconds, or null. `verification` is null
    /// unless the replay ran with `--verify`.
    public static func json(_ report: ImpactReport) -> String {
        jsonValue(report).serialized()
    }

    static func jsonValue(_ r: ImpactReport) -> RenderJSONValue {
        typealias J = RenderJSONValue
        return .object([
            ("schema", .string(jsonSchema)),
            ("input", input(r.input)),
            ("requests", .int(r.requests)),
            ("changed", .int(r.changed)),
            ("changedFraction", .fixed(r.changedFraction, 6)),
            ("newlyFailing", .int(r.newlyFailing)),
            ("newlySucceeding", .int(r.newlySucceeding)),
            ("unmatchedBaseline", .int(r.unmatchedBaseline)),
            ("refusedBeforeRouting", .int(r.refusedBeforeRouting)),
            ("categories", .object(RenderOrder.categories(r.categories).map { ($0.0.rawValue, J.int($0.1)) })),
            ("statusTransitions", .array(r.statusTransitions.map {
                .object([("from", .string($0.from)), ("to", .string($0.to)), ("count", .int($0.count))])
            })),
            ("byHostname", .array(r.byHostname.map(breakdown))),
            ("byRoute", .array(r.byRoute.map(breakdown))),
            ("byRule", .array(r.byRule.map(breakdown))),
            ("rules", .array(r.rules.map(rule))),
            ("patterns", .array(r.patterns.map(pattern))),
            ("statusChanges", .array(r.statusChanges.map {
                .object([
                    ("object", .string($0.object)), ("parent", .optional($0.parent)),
                    ("condition", .string($0.condition)), ("before", .string($0.before)), ("after", .string($0.after)),
                ])
            })),
            ("unreachedRules", .array(r.unreachedRules.map { .string($0) })),
            ("unreachedChangedRules", .array(r.unreachedChangedRules.map { .string($0) })),
            ("timeline", .array(r.timeline.map {
                .object([
                    ("start", .string(RenderFormat.isoTime($0.startMicros))), ("startMicros", .int(Int($0.startMicros))),
                    ("requests", .int($0.requests)), ("changed", .int($0.changed)),
                ])
            })),
            // Always present: null without --verify.
            ("verification", r.verification.map(\.jsonValue) ?? .null),
            ("gates", .array(r.gates.map {
                .object([("expression", .string($0.expression)), ("metric", .string($0.metric)), ("value", .string($0.value)),
                         ("tripped", .bool($0.tripped))])
            })),
        ])
    }

    private static func input(_ i: ReplayInput) -> RenderJSONValue {
        func time(_ m: Int64?) -> RenderJSONValue { m.map { .string(RenderFormat.isoTime($0)) } ?? .null }
        return .object([
            ("trace", .string(i.trace)),
            ("with", .array(i.with.map { .string($0) })),
            ("without", .array(i.without.map { .string($0) })),
            ("at", time(i.atMicros)),
            ("first", time(i.firstEventMicros)),
            ("last", time(i.lastEventMicros)),
            ("warning", .optional(i.warning)),
        ])
    }

    private static func breakdown(_ b: Breakdown) -> RenderJSONValue {
        .object([("key", .string(b.key)), ("requests", .int(b.requests)), ("changed", .int(b.changed)), ("newlyFailing", .int(b.newlyFailing))])
    }

    private static func rule(_ r: RuleShares) -> RenderJSONValue {
        func shares(_ list: [BackendShare]) -> RenderJSONValue {
            .array(list.map {
                .object([
                    ("backend", .string($0.backend)), ("configured", .fixed($0.configured, 4)),
                    ("observed", .fixed($0.observed, 4)), ("requests", .int($0.requests)),
                ])
            })
        }
        return .object([
            ("rule", .string(r.rule)), ("requestsBefore", .int(r.requestsBefore)), ("requestsAfter", .int(r.requestsAfter)),
            ("before", shares(r.before)), ("after", shares(r.after)),
        ])
    }

    private static func pattern(_ p: ChangedPattern) -> RenderJSONValue {
        .object([
            ("method", .string(p.method)), ("host", .string(p.host)), ("pathTemplate", .string(p.pathTemplate)),
            ("before", .string(p.before)), ("after", .string(p.after)),
            ("categories", .array(p.categories.map { .string($0.rawValue) })), ("count", .int(p.count)),
            ("examples", .array(p.examples.map { .string($0) })),
            ("detail", p.detail.map { .string($0) } ?? .null),
        ])
    }
}

import EventLog
import Foundation
import GatewayAPI
import Replay

/// `POST /review`: what would the candidate objects have done to the traffic this proxy
/// actually served? Replays the recorded requests of the last `window` seconds (from the
/// event log, or the in-memory ring without one) against the live configuration (the
/// baseline) and against it plus the candidate, exactly like `gwsim replay --with`.
///
/// The answer is one JSON object: `report` (the ImpactReport JSON, with verification),
/// `text` (its text rendering), `failOn` (each `?fail-on=` gate: tripped or not, why),
/// `changes` (per changed request: id, before and after; at most
/// `ProxyLimits.reviewMaxChangedRows`) and `changesTruncated`.
public struct ReviewService: Sendable {
    let control: AdminControlPlane

    public init(control: AdminControlPlane) { self.control = control }

    /// - Parameters:
    ///   - yaml: objects applied by the change (may be empty when it only removes).
    ///   - removals: live objects the change deletes.
    public func review(yaml: String, removals: [ObjectKey] = [], window: Double, gates: [FailOnExpression],
                       now: Double = Date().timeIntervalSince1970) -> AdminResponse {
        let loaded = Loader.load(text: yaml, file: "review", firstLoadOrder: 0)
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { return .error(400, "the candidate has errors", details: errors.map(\.description)) }
        guard !loaded.objects.isEmpty || !removals.isEmpty else {
            return .error(400, "nothing to review: the body holds no object and no ?without= names one")
        }
        let live = control.resources
        if let missing = removals.first(where: { live[$0] == nil }) { return .error(404, "without=\(missing): \(missing) is not live") }
        let since = now - window
        let path = NSTemporaryDirectory() + "gwsim-review-\(UUID().uuidString).trace.zst"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try writeTrace(path: path, since: since, until: now)
        } catch {
            return .error(500, "cannot export the recorded window: \(error)")
        }
        let options = ReplayOptions(tracePath: path, withPaths: loaded.objects.isEmpty ? [] : ["admin:/review"],
                                    withoutKeys: removals.map(\.description),
                                    change: ReplayChange(objects: loaded.objects, removals: removals),
                                    threads: 1, verify: true, compileOptions: control.compileOptions)
        var rows: [Value] = []
        var truncated = false
        let result: ReplayResult
        do {
            result = try Replay.run(options, onChanged: { row in
                if rows.count < ProxyLimits.reviewMaxChangedRows { rows.append(Self.value(row)) } else { truncated = true }
            })
        } catch {
            return .error(500, "replay failed: \(error)")
        }
        var report = result.report
        report.input.trace = "recorded traffic, last \(Self.describe(window))" + (control.recorder.writer == nil ? " (in-memory ring)" : " (event log)")
        report.gates = gates.map { $0.result(report) }
        let json = ImpactReportRenderer.json(report)
        var text = ImpactReportRenderer.text(report)
        if let v = report.verification { text += (text.hasSuffix("\n") ? "\n" : "\n\n") + v.text }
        let failOn: [Value] = gates.map { gate in
            .object([("expression", .string(gate.text)), ("tripped", .bool(gate.trips(report))), ("explanation", .string(gate.explain(report)))])
        }
        var body = "{\n\"report\": " + json.trimmingCharacters(in: .whitespacesAndNewlines)
        body += ",\n\"text\": " + Value.string(text).toJSON()
        body += ",\n\"failOn\": " + Value.array(failOn).toJSON()
        body += ",\n\"warnings\": " + Value.array(result.warnings.map { .string($0) }).toJSON()
        body += ",\n\"changes\": " + Value.array(rows).toJSON()
        body += ",\n\"changesTruncated\": " + (truncated ? "true" : "false") + "\n}\n"
        return AdminResponse(status: 200, body: body)
    }

    /// The window as a trace: the objects live at `since` (oldest first, as `applied`
    /// events at `since`), then every event of the window, renumbered (`exportTrace`).
    func writeTrace(path: String, since: Double, until: Double) throws {
        let recorder = control.recorder
        if let store = recorder.writer {
            recorder.flush()
            _ = try store.withStore { try exportTrace(store: $0, to: path, since: since, until: until) }
            return
        }
        let writer = try TraceWriter(path: path)
        defer { try? writer.close() }
        for item in control.rawObjectsByAge() {
            let change = try ResourceChange(action: .applied, source: .file, origin: "state", objectJSON: item.raw.toJSON())
            try writer.write(Event(time: since, body: .resource(change)))
        }
        for event in recorder.ring?.events(since: since, until: until) ?? [] { try writer.write(event) }
        try writer.close()
    }

    /// `15m`, `90s`, `1.5s`: the window as the report header shows it.
    static func describe(_ seconds: Double) -> String {
        guard let whole = Int(exactly: seconds) else { return "\(seconds)s" }
        return whole >= 60 && whole % 60 == 0 ? "\(whole / 60)m" : "\(whole)s"
    }

    static func value(_ row: ChangedRequestRow) -> Value {
        func side(_ s: ChangedRequestRow.Side) -> Value {
            .object([("route", s.route.map { .string($0) } ?? .null), ("rule", s.rule.map { .string($0) } ?? .null),
                     ("backend", s.backend.map { .string($0) } ?? .null), ("status", .string(s.status)),
                     ("statusCode", s.statusCode.map { .int($0) } ?? .null)])
        }
        return .object([("id", .string(row.id)), ("method", .string(row.method)), ("host", .string(row.host)), ("path", .string(row.path)),
                        ("before", side(row.before)), ("after", side(row.after)),
                        ("categories", .array(row.categories.map { .string($0.rawValue) }))])
    }
}

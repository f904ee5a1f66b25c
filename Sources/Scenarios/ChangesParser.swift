import EventLog
import GatewayAPI

/// The `changes:` section: resource changes at given times during the traffic.
enum ChangesParser {
    static func parse(_ field: YAMLField, start: Int64, context: ScenarioParser.Context) throws(ScenarioError) -> [TimedChange] {
        var result: [TimedChange] = []
        for item in try field.sequence() {
            let m = try item.mapping(allowed: ["at", "apply", "delete"])
            guard m.has("at") else { throw m["at"].error("required field is missing (seconds after traffic.start, or an RFC 3339 time)") }
            let time = try at(m["at"], start: start)
            let action: TimedChange.Action
            switch (m.has("apply"), m.has("delete")) {
            case (true, false):
                let paths = try context.paths(m["apply"])
                guard !paths.isEmpty else { throw m["apply"].error("must list at least one file or directory") }
                action = .apply(paths)
            case (false, true):
                action = .delete(try deletes(m["delete"]))
            default:
                throw item.error("give exactly one of apply or delete")
            }
            result.append(TimedChange(timeMicros: time, action: action, line: item.line))
        }
        // Stable: equal times keep file order.
        return result.enumerated().sorted { ($0.element.timeMicros, $0.offset) < ($1.element.timeMicros, $1.offset) }.map(\.element)
    }

    static func at(_ field: YAMLField, start: Int64) throws(ScenarioError) -> Int64 {
        if let node = field.node, case .scalar(let s) = node, s.style == .plain || s.style == .any,
           let seconds = Double(s.string.replacingUnderscores) {
            guard seconds >= 0, seconds.isFinite, seconds < 1e9 else { throw field.error("must be >= 0 seconds after traffic.start") }
            return start + Int64((seconds * 1_000_000).rounded())
        }
        let text = try field.string()
        guard let micros = EventTime.parse(text) else {
            throw field.error("must be seconds after traffic.start or an RFC 3339 time, got \"\(text)\"")
        }
        guard micros >= start else { throw field.error("\(text) is before traffic.start") }
        return micros
    }

    static func deletes(_ field: YAMLField) throws(ScenarioError) -> [ObjectRef] {
        var refs: [ObjectRef] = []
        for item in try field.sequence() {
            let m = try item.mapping(allowed: ["apiVersion", "kind", "namespace", "name"])
            for key in ["kind", "name"] where !m.has(key) { throw m[key].error("required field is missing") }
            let kind = try m["kind"].nonEmptyString()
            guard ResourceKinds.all.contains(kind) else {
                let hint = ResourceKinds.canonical(kind).map { "did you mean \($0)?" } ?? "kinds: \(ResourceKinds.all.joined(separator: ", "))"
                throw m["kind"].error("\(kind) is not a kind gwsim simulates (\(hint))")
            }
            let name = try m["name"].nonEmptyString()
            let namespace = m.has("namespace") ? try m["namespace"].string() : ""
            for (key, value) in [("kind", kind), ("namespace", namespace), ("name", name)] where value.contains("/") {
                throw m[key].error("must not contain '/'")
            }
            refs.append(ObjectRef(apiVersion: m.has("apiVersion") ? try m["apiVersion"].nonEmptyString() : nil,
                                  kind: kind, namespace: namespace, name: name))
        }
        guard !refs.isEmpty else { throw field.error("must list at least one object") }
        return refs
    }
}

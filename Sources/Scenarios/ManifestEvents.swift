import EventLog
import Foundation
import GatewayAPI

/// Manifests -> `applied` resource changes. Shared by `gwsim generate` (initial state and
/// timed applies) and `gwsim apply`, so both record objects the same way: the object as
/// written (`LoadedObject.raw`, without status) as compact JSON.
public enum ManifestEvents {
    /// Loads `paths`; any loader error rejects the whole set (nothing invalid is recorded).
    /// Notes and warnings (skipped kinds, conversions) are returned for the caller to show.
    public static func load(paths: [String]) -> (objects: [LoadedObject], errors: [Diagnostic], notes: [Diagnostic]) {
        let result = Loader.load(paths: paths)
        let errors = result.diagnostics.filter { $0.severity == .error }
        let notes = result.diagnostics.filter { $0.severity != .error }
        return (errors.isEmpty ? result.objects : [], errors, notes)
    }

    /// One `applied` change per object. `origin` maps the object's file to the recorded origin.
    public static func changes(for objects: [LoadedObject], source: ResourceChange.Source,
                               origin: (LoadedObject) -> String?) throws -> [ResourceChange] {
        try objects.map { object in
            try ResourceChange(action: .applied, source: source, origin: origin(object), objectJSON: object.raw.toJSON(sortedKeys: false))
        }
    }

    /// `file:line` with the file made relative to `base` when below it, so that a generated
    /// trace does not depend on the directory gwsim was started from.
    public static func origin(of object: LoadedObject, relativeTo base: String) -> String {
        var file = object.location.file
        let prefix = base.isEmpty || base == "." ? "" : (base.hasSuffix("/") ? base : base + "/")
        if !prefix.isEmpty, file.hasPrefix(prefix) { file = String(file.dropFirst(prefix.count)) }
        if file.hasPrefix("./") { file = String(file.dropFirst(2)) }
        return object.location.line > 0 ? "\(file):\(object.location.line)" : file
    }

    /// A delete change for `ref`: the minimal object the event log requires.
    public static func deletion(_ ref: ObjectRef, source: ResourceChange.Source, origin: String?) throws -> ResourceChange {
        var metadata: [(String, Value)] = []
        if !ref.namespace.isEmpty { metadata.append(("namespace", .string(ref.namespace))) }
        metadata.append(("name", .string(ref.name)))
        let object = Value.object([("apiVersion", .string(ref.apiVersion)), ("kind", .string(ref.kind)), ("metadata", .object(metadata))])
        return try ResourceChange(action: .deleted, source: source, origin: origin, objectJSON: object.toJSON(sortedKeys: false))
    }
}

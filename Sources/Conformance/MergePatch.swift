import GatewayAPI

/// JSON merge patch (RFC 7386), which is what the case files' `patch` entries
/// are: objects merge key by key, `null` deletes a key, and anything else
/// (arrays included) replaces the target as a whole. Key order of the target is
/// kept, new keys are appended, so re-serialized objects read as before.
public enum MergePatch {
    public static func apply(_ patch: Value, to target: Value) -> Value {
        guard case .object(let patchPairs) = patch else { return patch }
        var pairs: [(String, Value)] = target.objectValue ?? []
        for (key, value) in patchPairs {
            let index = pairs.firstIndex { $0.0 == key }
            if value.isNull {
                if let index { pairs.remove(at: index) }
            } else if let index {
                pairs[index].1 = apply(value, to: pairs[index].1)
            } else {
                pairs.append((key, apply(value, to: .null)))
            }
        }
        return .object(pairs)
    }

    /// Applies `patch` to a Kubernetes object the way the API server does:
    /// `metadata.generation` goes up by one when `spec` changed (status and
    /// metadata edits do not bump it). Absent generation counts as 1.
    public static func applyToObject(_ patch: Value, to object: Value) -> Value {
        var result = apply(patch, to: object)
        if object["spec"] != result["spec"] {
            let generation = object["metadata"]?["generation"]?.intValue ?? 1
            let metadata = (result["metadata"] ?? .object([])).setting("generation", to: .int(generation + 1))
            result = result.setting("metadata", to: metadata)
        }
        return result
    }
}

/// Extracts `kind`, `metadata.namespace` and `metadata.name` from a Kubernetes object in
/// JSON, the only parts of an object this module needs (state keys, SQLite columns).
struct ObjectIdentity: Equatable {
    var kind: String
    var namespace: String
    var name: String

    var key: String { ResourceChange.key(kind: kind, namespace: namespace, name: name) }

    /// Validates `json` as one JSON object, returns it compacted and its identity.
    static func compactAndIdentify(_ json: UnsafeBufferPointer<UInt8>) throws -> (String, ObjectIdentity) {
        var scanner = JSONScanner(json)
        guard scanner.peek() == 0x7B else { throw EventLogError.invalidEvent("object must be a JSON object") }
        var compact: [UInt8] = []
        compact.reserveCapacity(json.count)
        try scanner.readCompactValue(into: &compact)
        try scanner.expectEnd()
        let identity = try compact.withUnsafeBufferPointer { try identify($0) }
        return (String(decoding: compact, as: UTF8.self), identity)
    }

    /// Reads the identity of one (valid) JSON object.
    static func identify(_ json: UnsafeBufferPointer<UInt8>) throws -> ObjectIdentity {
        var s = JSONScanner(json)
        var kind: String?
        var namespace = ""
        var name: String?
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(&first) {
            switch key {
            case "kind":
                kind = try s.readString()
            case "metadata":
                try s.beginObject()
                var firstMeta = true
                while let mk = try s.nextKey(&firstMeta) {
                    switch mk {
                    case "name": name = try s.readString()
                    case "namespace": namespace = s.readNull() ? "" : try s.readString()
                    default: try s.skipValue()
                    }
                }
            default:
                try s.skipValue()
            }
        }
        guard let kind, !kind.isEmpty else { throw EventLogError.invalidEvent("object has no \"kind\"") }
        guard let name, !name.isEmpty else { throw EventLogError.invalidEvent("object has no \"metadata.name\"") }
        guard !kind.contains("/"), !namespace.contains("/"), !name.contains("/") else {
            throw EventLogError.invalidEvent("kind, namespace and name must not contain '/'")
        }
        return ObjectIdentity(kind: kind, namespace: namespace, name: name)
    }
}

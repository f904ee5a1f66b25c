extension Value {
    /// What a `deleted` resource event records of an object: its apiVersion, kind and
    /// metadata namespace and name (the event log requires no more, and keeps no more).
    public var deletionStub: Value {
        var metadata: [(String, Value)] = []
        if let namespace = self["metadata"]?["namespace"] { metadata.append(("namespace", namespace)) }
        metadata.append(("name", self["metadata"]?["name"] ?? .string("")))
        return .object([("apiVersion", self["apiVersion"] ?? .string("v1")), ("kind", self["kind"] ?? .string("")),
                        ("metadata", .object(metadata))])
    }
}

/// The names of a header list that the CRDs declare `listType=map` keyed by name
/// (match headers, `set` / `add` of a header filter) or `listType=set` (`remove`).
///
/// The API server refuses only byte-identical names. Names that differ only in case
/// pass it, and the spec says the first of them counts and the later ones are ignored
/// (httproute_types.go, HTTPHeaderMatch.Name and HTTPHeader.Name; grpcroute_types.go,
/// GRPCHeaderMatch.Name). So an exact repeat is an error, a case variant a warning
/// and left out.
struct HeaderNameList {
    private var exact = Set<String>()
    private var folded: [String: String] = [:]

    /// Whether the entry named `name` (at `field`) counts; reports the repeats.
    mutating func admit(_ name: String, at field: Field) -> Bool {
        guard !name.isEmpty else { return true }
        guard exact.insert(name).inserted else {
            field.error("Duplicate value: \"\(name)\"")
            return false
        }
        if let first = folded[name.lowercased()] {
            field.warning("\"\(name)\" names the same header as \"\(first)\" before it (header names are case-insensitive): ignored, the first entry counts")
            return false
        }
        folded[name.lowercased()] = name
        return true
    }
}

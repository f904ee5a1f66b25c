import Yams

/// A node of the scenario YAML with its field path and line, so every check can say
/// `file:line: error: traffic.hosts[2].weight: must be a number >= 0`.
///
/// Why not `GatewayAPI.Value`: its line map is internal to that module, and scenario
/// errors must point at the offending line.
struct YAMLField {
    let node: Node?
    let path: String
    let file: String
    /// Line of this field (its key when it is a mapping entry), or the parent's when absent.
    let line: Int

    var exists: Bool {
        guard let node else { return false }
        if case .scalar(let s) = node, s.style == .plain || s.style == .any, ["", "~", "null", "Null", "NULL"].contains(s.string) { return false }
        return true
    }

    func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line > 0 ? line : nil, field: path.isEmpty ? nil : path, message)
    }

    func child(_ key: String, node: Node?, line: Int?) -> YAMLField {
        YAMLField(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file, line: line ?? self.line)
    }

    /// The entries of a mapping; unknown keys are errors (a typo must not be silently ignored).
    func mapping(allowed: [String]) throws(ScenarioError) -> Mapping {
        guard let node, case .mapping(let map) = node else { throw error("must be a mapping, got \(typeName)") }
        var entries: [String: YAMLField] = [:]
        for (k, v) in map {
            let keyLine = k.mark?.line ?? line
            guard case .scalar(let ks) = k else {
                throw ScenarioError(file: file, line: keyLine, field: path.isEmpty ? nil : path, "mapping keys must be plain strings")
            }
            let key = ks.string
            let field = child(key, node: v, line: keyLine)
            guard allowed.contains(key) else {
                throw field.error("unknown field; expected one of: " + allowed.joined(separator: ", "))
            }
            entries[key] = field
        }
        return Mapping(owner: self, entries: entries)
    }

    struct Mapping {
        let owner: YAMLField
        let entries: [String: YAMLField]
        /// The field, or an absent one (pointing at the mapping's line) when not written.
        subscript(key: String) -> YAMLField {
            entries[key] ?? owner.child(key, node: nil, line: owner.line)
        }
        func has(_ key: String) -> Bool { self[key].exists }
    }

    func sequence() throws(ScenarioError) -> [YAMLField] {
        guard let node, case .sequence(let seq) = node else { throw error("must be a list, got \(typeName)") }
        return seq.enumerated().map { i, item in
            YAMLField(node: item, path: "\(path)[\(i)]", file: file, line: item.mark?.line ?? line)
        }
    }

    /// A list, or a single scalar treated as a one-element list (`candidate: file.yaml`).
    func listOfStrings() throws(ScenarioError) -> [String] {
        if let node, case .scalar = node { return [try string()] }
        var result: [String] = []
        for item in try sequence() { result.append(try item.string()) }
        return result
    }

    func string() throws(ScenarioError) -> String {
        guard let node, case .scalar(let s) = node else { throw error("must be a string, got \(typeName)") }
        return s.string
    }

    func nonEmptyString() throws(ScenarioError) -> String {
        let s = try string()
        guard !s.isEmpty else { throw error("must not be empty") }
        return s
    }

    func number() throws(ScenarioError) -> Double {
        guard let node, case .scalar(let s) = node, s.style == .plain || s.style == .any,
              let d = Double(s.string.replacingUnderscores), d.isFinite else {
            throw error("must be a number, got \(typeName)")
        }
        return d
    }

    func number(min: Double, default value: Double) throws(ScenarioError) -> Double {
        guard exists else { return value }
        let d = try number()
        guard d >= min else { throw error("must be >= \(Self.format(min)), got \(Self.format(d))") }
        return d
    }

    func probability() throws(ScenarioError) -> Double {
        guard exists else { return 1 }
        let p = try number()
        guard p >= 0, p <= 1 else { throw error("must be between 0 and 1, got \(Self.format(p))") }
        return p
    }

    func integer() throws(ScenarioError) -> Int {
        let d = try number()
        guard d == d.rounded(), abs(d) < 9e15 else { throw error("must be a whole number, got \(Self.format(d))") }
        return Int(d)
    }

    func integer(in range: ClosedRange<Int>, default value: Int) throws(ScenarioError) -> Int {
        guard exists else { return value }
        let i = try integer()
        guard range.contains(i) else { throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(i)") }
        return i
    }

    var typeName: String {
        guard let node, exists else { return "nothing" }
        switch node {
        case .scalar(let s):
            if s.style == .plain || s.style == .any, Double(s.string) != nil { return "number \(s.string)" }
            return "string \"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        default: return "an alias"
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}

extension String {
    /// YAML 1.1 allows `1_000`; so do we.
    var replacingUnderscores: String { contains("_") ? String(filter { $0 != "_" }) : self }
}

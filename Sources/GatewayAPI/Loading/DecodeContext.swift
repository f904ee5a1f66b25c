/// Collects the diagnostics of one object while it is decoded and validated, and
/// maps field paths to source lines.
final class DecodeContext {
    let file: String
    let objectLine: Int
    let lines: LineMap
    var key: ObjectKey?
    var diagnostics: [Diagnostic] = []

    init(file: String, objectLine: Int, lines: LineMap) {
        self.file = file
        self.objectLine = objectLine
        self.lines = lines
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The line of `path`, else of its nearest written ancestor, else of the object.
    func location(_ path: String) -> SourceLocation {
        var p = Substring(path)
        while !p.isEmpty {
            if let line = lines[String(p)] { return SourceLocation(file: file, line: line) }
            if p.last == "]", let open = p.lastIndex(of: "[") {
                p = p[..<open]
            } else if let dot = p.lastIndex(of: ".") {
                p = p[..<dot]
            } else {
                break
            }
        }
        return SourceLocation(file: file, line: objectLine)
    }

    func error(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(.error, at: location(path), object: key, field: path.isEmpty ? nil : path, message))
    }

    func warning(_ path: String?, _ message: String) {
        diagnostics.append(Diagnostic(.warning, at: location(path ?? ""), object: key, field: path, message))
    }
}

/// A field of the object being decoded: its value (nil when absent) and JSON path.
/// Typed accessors report type errors instead of trapping, so no input can crash.
struct Field {
    let value: Value?
    let path: String
    let ctx: DecodeContext

    /// A present, non-null value.
    var exists: Bool { if let value, !value.isNull { true } else { false } }

    subscript(key: String) -> Field {
        let child = path.isEmpty ? key : "\(path).\(key)"
        guard let value, case .object = value else { return Field(value: nil, path: child, ctx: ctx) }
        return Field(value: value[key], path: child, ctx: ctx)
    }

    func error(_ message: String) { ctx.error(path, message) }
    func warning(_ message: String) { ctx.warning(path, message) }

    private func typeError(_ expected: String) {
        error("Invalid type: expected \(expected), got \(value?.typeName ?? "nothing")")
    }

    /// Reports "Required value" when absent; returns whether the field exists.
    @discardableResult
    func require() -> Bool {
        if !exists { error("Required value") }
        return exists
    }

    var string: String? {
        guard exists, let value else { return nil }
        if case .string(let s) = value { return s }
        typeError("string")
        return nil
    }

    var int: Int? {
        guard exists, let value else { return nil }
        switch value {
        case .int(let i): return i
        case .double(let d):
            if let i = Int(exactly: d) { return i }
            error("Invalid value: \(d): must be an integer that fits in 64 bits")
            return nil
        default:
            typeError("integer")
            return nil
        }
    }

    /// An integer field checked against a range, clamped into `Int32` semantics by the range itself.
    func int(in range: ClosedRange<Int>) -> Int? {
        guard let i = int else { return nil }
        if i < range.lowerBound { error("Invalid value: \(i): must be greater than or equal to \(range.lowerBound)"); return nil }
        if i > range.upperBound { error("Invalid value: \(i): must be less than or equal to \(range.upperBound)"); return nil }
        return i
    }

    var bool: Bool? {
        guard exists, let value else { return nil }
        if case .bool(let b) = value { return b }
        typeError("boolean")
        return nil
    }

    /// Array items; absent or null is empty.
    var items: [Field] {
        guard exists, let value else { return [] }
        guard case .array(let a) = value else { typeError("array"); return [] }
        return a.enumerated().map { Field(value: $1, path: "\(path)[\($0)]", ctx: ctx) }
    }

    /// Array items with a MaxItems/MinItems check.
    func items(min: Int = 0, max: Int) -> [Field] {
        let list = items
        if list.count > max { error("Too many: \(list.count): must be no more than \(max) items") }
        if exists || min > 0, list.count < min { error(min == 1 && !exists ? "Required value" : "Invalid value: \(list.count): must have at least \(min) items") }
        return list
    }

    /// Object entries; absent or null is empty.
    var entries: [(String, Field)] {
        guard exists, let value else { return [] }
        guard case .object(let pairs) = value else { typeError("object"); return [] }
        return pairs.map { ($0.0, Field(value: $0.1, path: path.isEmpty ? $0.0 : "\(path).\($0.0)", ctx: ctx)) }
    }

    /// A `map[string]string` (labels, annotations, selectors, options).
    var stringMap: [String: String] {
        var out: [String: String] = [:]
        for (k, f) in entries {
            if let s = f.string { out[k] = s } else if f.exists == false { out[k] = "" }
        }
        return out
    }

    /// A list of strings.
    var strings: [String] { items.compactMap { $0.string } }

    /// A string from a fixed set (`+kubebuilder:validation:Enum`).
    func oneOf(_ allowed: [String]) -> String? {
        guard let s = string else { return nil }
        guard allowed.contains(s) else {
            error("Unsupported value: \"\(s)\": supported values: " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            return nil
        }
        return s
    }

    /// A string checked by a pattern predicate and length bounds.
    func string(minLength: Int = 0, maxLength: Int = .max, rule: StringRule? = nil) -> String? {
        guard let s = string else { return nil }
        let n = s.count
        if n < minLength { error(minLength == 1 ? "Invalid value: \"\": should be at least 1 chars long" : "Invalid value: \"\(s)\": should be at least \(minLength) chars long"); return nil }
        if n > maxLength { error("Too long: may not be more than \(maxLength) bytes"); return nil }
        if let rule, !rule.check(s) { error("Invalid value: \"\(s)\": \(rule.message)"); return nil }
        return s
    }
}

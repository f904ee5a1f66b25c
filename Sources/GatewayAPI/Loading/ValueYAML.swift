/// Block-style YAML for `Value` (what `gwsim state -o yaml` prints). Strings are
/// double-quoted (JSON escapes, which YAML accepts) whenever a plain scalar would
/// read back as something else.
extension Value {
    public func toYAML() -> String {
        var out = ""
        switch self {
        case .array(let items) where !items.isEmpty: Value.writeSequence(items, indent: 0, into: &out)
        case .object(let pairs) where !pairs.isEmpty: Value.writeMapping(pairs, indent: 0, into: &out)
        default: out = inlineScalar + "\n"
        }
        return out
    }

    /// The one-line form of scalars and empty collections.
    var inlineScalar: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
            return toJSON()
        case .string(let s): return Value.yamlString(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    private var isNonEmptyCollection: Bool {
        switch self {
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        default: false
        }
    }

    private static func writeMapping(_ pairs: [(String, Value)], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (k, v) in pairs {
            out += pad + yamlString(k) + ":"
            switch v {
            case .object(let inner) where !inner.isEmpty:
                out += "\n"; writeMapping(inner, indent: indent + 2, into: &out)
            case .array(let items) where !items.isEmpty:
                out += "\n"; writeSequence(items, indent: indent, into: &out)
            default:
                out += " " + v.inlineScalar + "\n"
            }
        }
    }

    private static func writeSequence(_ items: [Value], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .object(let inner) where !inner.isEmpty:
                // First key on the dash line, the rest aligned under it.
                var nested = ""
                writeMapping(inner, indent: indent + 2, into: &nested)
                let body = nested.dropFirst(indent + 2)
                out += pad + "- " + body
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeSequence(inner, indent: indent + 2, into: &out)
            default:
                out += pad + "- " + item.inlineScalar + "\n"
            }
        }
    }

    /// Plain when safe, else double-quoted.
    static func yamlString(_ s: String) -> String {
        if needsQuotes(s) {
            var out = ""
            writeJSONString(s, into: &out)
            return out
        }
        return s
    }

    private static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return true }
        if case .string = YAMLReader.resolvePlain(s) {} else { return true }
        if " \t".unicodeScalars.contains(last) || " \t".unicodeScalars.contains(first) { return true }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return true }
        for u in s.unicodeScalars where u.value < 0x20 || u.value == 0x7F || u.value == 0xFEFF || (0x80..<0xA0).contains(u.value) {
            return true
        }
        return false
    }
}

/// A parsed YAML/JSON value. Object keys keep their written order so that objects
/// can be re-serialized as the user wrote them (merge patches, `gwsim state -o yaml`,
/// the event log). Line numbers live beside the value, in `LineMap`, so that two
/// equal values written on different lines still compare equal.
public indirect enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object([(String, Value)])

    /// The value under `key` when this is an object (first occurrence wins).
    public subscript(key: String) -> Value? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? { if case .int(let i) = self { i } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var arrayValue: [Value]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [(String, Value)]? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The JSON type name, for "expected string, got integer" messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A copy with `key` removed from this object (no-op for other values).
    public func removing(_ key: String) -> Value {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { $0.0 != key })
    }

    /// A copy with `key` set (replacing in place, or appended).
    public func setting(_ key: String, to value: Value) -> Value {
        guard case .object(var pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }
}

extension Value: Hashable {
    /// Objects compare as ordered pair lists: key order is part of what was written.
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let b): h.combine(1); h.combine(b)
        case .int(let i): h.combine(2); h.combine(i)
        case .double(let d): h.combine(3); h.combine(d)
        case .string(let s): h.combine(4); h.combine(s)
        case .array(let a): h.combine(5); h.combine(a)
        case .object(let o):
            h.combine(6); h.combine(o.count)
            for (k, v) in o { h.combine(k); h.combine(v) }
        }
    }
}

/// Line numbers of the fields of one parsed object, keyed by JSON path
/// (`spec.rules[0].matches[1].path.value`; the object itself is `""`).
/// Diagnostics look a field up here and fall back to the object's own line.
public struct LineMap: Sendable, Hashable {
    public var lines: [String: Int] = [:]
    public init(lines: [String: Int] = [:]) { self.lines = lines }
    public subscript(path: String) -> Int? { lines[path] }
}

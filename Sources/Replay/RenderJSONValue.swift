import GatewayAPI

/// A JSON document whose object keys keep the order they were written in.
/// Hand-rolled because `JSONSerialization` / `JSONEncoder` reorder keys (or sort
/// them alphabetically), and the report's documented schema reads best in a
/// fixed, meaningful order. Numbers are pre-formatted strings so precision is
/// chosen by the caller, not by `Double.description`.
indirect enum RenderJSONValue {
    case null
    case bool(Bool)
    case int(Int)
    /// A number already formatted as a JSON number, e.g. `0.2500`.
    case number(String)
    case string(String)
    case array([RenderJSONValue])
    case object([(String, RenderJSONValue)])

    /// A fraction with a fixed number of decimals (JSON number).
    static func fixed(_ x: Double, _ decimals: Int) -> RenderJSONValue {
        .number(RenderFormat.fixed(x, decimals))
    }

    static func optional(_ s: String?) -> RenderJSONValue {
        s.map { .string($0) } ?? .null
    }

    /// Pretty-printed with two-space indentation and a trailing newline.
    func serialized() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .number(let s): out += s
        case .string(let s): RenderJSONValue.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                item.write(to: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                RenderJSONValue.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, indent: indent + 1)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) { GatewayAPI.Value.writeJSONString(s, into: &out) }
}

import GatewayAPI
import Yams

/// YAML text to `Value`, through Yams' node tree so that mapping keys keep
/// their written order (merge patches and header lists depend on it). The
/// loader has its own reader, but it is internal to GatewayAPI.
package enum YAMLValue {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// The first document of `text`; `.null` for an empty document.
    package static func parse(_ text: String) throws -> Value {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return convert(node)
        } catch {
            throw ParseError(description: "\(error)")
        }
    }

    /// Every document of `text` (empty documents dropped).
    static func parseAll(_ text: String) throws -> [Value] {
        do {
            var values: [Value] = []
            for node in try Yams.compose_all(yaml: text) {
                let value = convert(node)
                if !value.isNull { values.append(value) }
            }
            return values
        } catch {
            throw ParseError(description: "\(error)")
        }
    }

    static func convert(_ node: Node) -> Value {
        switch node {
        case .mapping(let mapping):
            return .object(mapping.map { (key, value) in (key.string ?? "", convert(value)) })
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .scalar(let scalar):
            return scalarValue(node, scalar)
        case .alias:
            return .null
        }
    }

    private static func scalarValue(_ node: Node, _ scalar: Node.Scalar) -> Value {
        // Quoted scalars are strings whatever they look like ('True', '8080').
        if scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded {
            return .string(scalar.string)
        }
        switch node.tag.description {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(Value.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return node.int.map(Value.int) ?? .string(scalar.string)
        case Tag.Name.float.rawValue: return node.float.map(Value.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }
}

extension Value {
    /// A scalar as text (YAML may type a header value as a number).
    package var scalarText: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string(let s): Double(s)
        default: nil
        }
    }

    /// An integer, also from a quoted number (`port: '8080'`).
    var intLike: Int? {
        switch self {
        case .int(let i): i
        case .string(let s): Int(s)
        case .double(let d): d == d.rounded() ? Int(d) : nil
        default: nil
        }
    }
}

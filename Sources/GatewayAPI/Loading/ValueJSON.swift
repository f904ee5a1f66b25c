/// JSON text for `Value`: compact output and a small order-preserving parser
/// (Foundation's JSONSerialization loses key order, which re-serialization needs).
extension Value {
    /// Compact, valid JSON. Non-finite doubles have no JSON form and become `null`.
    public func toJSON(sortedKeys: Bool = false) -> String {
        var out = ""
        writeJSON(into: &out, sortedKeys: sortedKeys)
        return out
    }

    private func writeJSON(into out: inout String, sortedKeys: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? jsonNumber(d) : "null"
        case .string(let s): Value.writeJSONString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(into: &out, sortedKeys: sortedKeys)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            let ordered = sortedKeys ? pairs.sorted { $0.0 < $1.0 } : pairs
            for (i, (k, v)) in ordered.enumerated() {
                if i > 0 { out += "," }
                Value.writeJSONString(k, into: &out)
                out += ":"
                v.writeJSON(into: &out, sortedKeys: sortedKeys)
            }
            out += "}"
        }
    }

    private func jsonNumber(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) + ".0" }
        return "\(d)"
    }

    /// RFC 8259 string escaping, the one escaper every JSON writer in gwsim uses.
    /// U+2028 / U+2029 and DEL are escaped too, so output can be pasted into
    /// JavaScript source or a terminal safely.
    public static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    public struct JSONError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid JSON at offset \(offset): \(message)" }
    }

    /// Parses JSON text, keeping key order. Integers that do not fit `Int` become doubles.
    public static func parseJSON(_ s: String) throws -> Value {
        var p = JSONParser(bytes: Array(s.utf8))
        p.skipSpace()
        let v = try p.parseValue(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw JSONError(offset: p.i, message: "trailing characters") }
        return v
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    func fail(_ m: String) -> Value.JSONError { Value.JSONError(offset: i, message: m) }

    mutating func literal(_ word: String, _ v: Value) throws -> Value {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("unexpected token") }
        i += w.count
        return v
    }

    mutating func parseValue(depth: Int) throws -> Value {
        guard depth < 10_000 else { throw fail("nesting too deep") }
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "["):
            i += 1; skipSpace()
            var items: [Value] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "{"):
            i += 1; skipSpace()
            var pairs: [(String, Value)] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try parseString()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1; skipSpace()
                pairs.append((key, try parseValue(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                throw fail("expected ',' or '}'")
            }
        default: return try parseNumber()
        }
    }

    mutating func parseNumber() throws -> Value {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        guard i > start, let text = String(bytes: bytes[start..<i], encoding: .utf8) else { throw fail("unexpected character") }
        if let n = Int(text) { return .int(n) }
        if let d = Double(text) { return .double(d) }
        throw fail("invalid number")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let s = String(bytes: bytes[i..<i + 4], encoding: .utf8), let v = UInt32(s, radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }

    mutating func parseString() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) }
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }
}

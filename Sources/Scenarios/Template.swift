/// A text with placeholders, e.g. `/api/items/{id}`, compiled once at parse time so that
/// expanding it per request costs no parsing.
///
/// Placeholders: `{id}` a random integer 1…99999, `{uuid}` a random (v4-shaped) UUID,
/// `{word}` a word from a fixed list, `{hex}` 8 random hex digits. Literal braces are
/// written `{{` and `}}`.
public struct Template: Sendable, Equatable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case id, uuid, word, hex
    }

    public let parts: [Part]
    /// The text as written.
    public let source: String

    public static let placeholders = ["id", "uuid", "word", "hex"]

    /// Throws a message naming the bad placeholder; the caller adds file and line.
    public init(_ text: String) throws(TemplateError) {
        source = text
        var parts: [Part] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "{", next < text.endIndex, text[next] == "{" { literal.append("{"); i = text.index(after: next); continue }
            if c == "}", next < text.endIndex, text[next] == "}" { literal.append("}"); i = text.index(after: next); continue }
            if c == "}" { throw TemplateError("unmatched '}' (write '}}' for a literal brace)") }
            guard c == "{" else { literal.append(c); i = next; continue }
            guard let close = text[next...].firstIndex(of: "}") else { throw TemplateError("unclosed '{' (write '{{' for a literal brace)") }
            let name = String(text[next..<close])
            let part: Part
            switch name {
            case "id": part = .id
            case "uuid": part = .uuid
            case "word": part = .word
            case "hex": part = .hex
            default:
                throw TemplateError("unknown placeholder {\(name)}; known: " + Template.placeholders.map { "{\($0)}" }.joined(separator: ", "))
            }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(part)
            i = text.index(after: close)
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    public var description: String { source }

    /// True when expanding draws no random numbers.
    public var isConstant: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// Appends the expansion, drawing from `rng` for each placeholder.
    public func expand(into out: inout String, rng: inout SplitMix64) {
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .id: out += String(rng.int(in: 1...99_999))
            case .uuid: out += Template.uuid(&rng)
            case .word: out += Template.words[rng.int(in: 0...(Template.words.count - 1))]
            case .hex: out += Template.hex(rng.next() & 0xFFFF_FFFF, digits: 8)
            }
        }
    }

    public func expand(rng: inout SplitMix64) -> String {
        var s = ""
        expand(into: &s, rng: &rng)
        return s
    }

    static func uuid(_ rng: inout SplitMix64) -> String {
        let a = rng.next(), b = rng.next()
        let timeHi = (a & 0x0FFF) | 0x4000
        let clock = ((b >> 48) & 0x3FFF) | 0x8000
        return hex(a >> 32, digits: 8) + "-" + hex((a >> 16) & 0xFFFF, digits: 4) + "-" + hex(timeHi, digits: 4)
            + "-" + hex(clock, digits: 4) + "-" + hex(b & 0xFFFF_FFFF_FFFF, digits: 12)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Fixed, so `{word}` expansions are the same on every platform.
    static let words = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
                        "kestrel", "lumen", "maple", "nimbus", "onyx", "pebble", "quartz", "raven", "sierra", "tundra",
                        "umber", "violet", "willow", "xenon", "yarrow", "zephyr"]
}

/// Why a template was rejected.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ message: String) { description = message }
}

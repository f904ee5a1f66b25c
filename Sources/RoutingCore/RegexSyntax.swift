/// The syntax tree of a RegularExpression match value, parsed as RE2 reads it
/// (RE2 is what Envoy-based gateways match with; the Gateway API leaves the
/// dialect to the implementation, httproute_types.go `PathMatchRegularExpression`).
/// What RE2 rejects is rejected here too, with its reason: backreferences,
/// lookaround, atomic groups and possessive repeats, the constructs whose
/// matching cannot be done in time linear in the input (RegexProgram).
indirect enum RegexNode: Sendable, Equatable {
    case empty
    /// One scalar from the set.
    case scalars(ScalarSet)
    case concat([RegexNode])
    case alternate([RegexNode])
    /// `max` nil: unbounded.
    case repetition(RegexNode, min: Int, max: Int?)
    case assertion(RegexAssertion)
}

/// Zero-width conditions (RE2: `^ $ \A \z \b \B`, and `^ $` at lines under `(?m)`).
enum RegexAssertion: Sendable, Equatable {
    case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary
}

/// A set of Unicode scalars as sorted, disjoint, non-adjacent ranges.
struct ScalarSet: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>]

    init(_ ranges: [ClosedRange<UInt32>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    static let maxScalar: UInt32 = 0x10FFFF
    static let all = ScalarSet([0...maxScalar])
    static let digits = ScalarSet([48...57])
    static let word = ScalarSet([48...57, 65...90, 95...95, 97...122])
    static let space = ScalarSet([9...10, 12...13, 32...32])
    static let newline: UInt32 = 10

    func contains(_ value: UInt32) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if value < ranges[mid].lowerBound { high = mid - 1 } else if value > ranges[mid].upperBound { low = mid + 1 } else { return true }
        }
        return false
    }

    var inverted: ScalarSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound &+ 1
            if range.upperBound == Self.maxScalar { return ScalarSet(result) }
        }
        result.append(next...Self.maxScalar)
        return ScalarSet(result)
    }

    func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges + other.ranges) }

    /// With the other case of every letter added (`(?i)`): ASCII always, other
    /// scripts scalar by scalar for ranges small enough to walk.
    var caseFolded: ScalarSet {
        var extra: [ClosedRange<UInt32>] = []
        for range in ranges {
            let lower = max(range.lowerBound, 65), upperA = min(range.upperBound, 90)
            if lower <= upperA { extra.append((lower + 32)...(upperA + 32)) }
            let lowerB = max(range.lowerBound, 97), upperB = min(range.upperBound, 122)
            if lowerB <= upperB { extra.append((lowerB - 32)...(upperB - 32)) }
            guard range.upperBound >= 128, range.count <= 1_024 else { continue }
            for value in max(range.lowerBound, 128)...range.upperBound {
                guard let scalar = Unicode.Scalar(value) else { continue }
                for other in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
                    let mapped = other.unicodeScalars
                    if mapped.count == 1, let first = mapped.first { extra.append(first.value...first.value) }
                }
            }
        }
        return extra.isEmpty ? self : ScalarSet(ranges + extra)
    }
}

/// Why a pattern is not a regular expression gwsim can match.
struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A recursive-descent parser over the pattern's scalars.
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var caseInsensitive = false
    private var dotMatchesNewline = false
    private var multiline = false
    private var depth = 0

    static func parse(_ pattern: String) throws -> RegexNode {
        var parser = RegexParser(scalars: Array(pattern.unicodeScalars))
        let node = try parser.alternation()
        if parser.position < parser.scalars.count { throw RegexSyntaxError("unexpected ) at offset \(parser.position)") }
        return node
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var atEnd: Bool { position >= scalars.count }
    private var current: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func alternation() throws -> RegexNode {
        var branches = [try concatenation()]
        while current == "|" {
            position += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func concatenation() throws -> RegexNode {
        var items: [RegexNode] = []
        while let c = current, c != "|", c != ")" {
            if c == "(", peek(1) == "?", let flags = try flagGroupWithoutBody() {
                (caseInsensitive, dotMatchesNewline, multiline) = flags
                continue
            }
            items.append(try repeated())
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
    }

    private mutating func repeated() throws -> RegexNode {
        var node = try atom()
        var repeatedOnce = false
        while let c = current {
            let bounds: (min: Int, max: Int?)
            switch c {
            case "*": bounds = (0, nil); position += 1
            case "+": bounds = (1, nil); position += 1
            case "?": bounds = (0, 1); position += 1
            case "{":
                guard let counted = try countedRepeat() else { return node }
                bounds = counted
            default: return node
            }
            if repeatedOnce { throw RegexSyntaxError("bad repetition operator at offset \(position - 1): a repeat of a repeat") }
            repeatedOnce = true
            if current == "?" { position += 1 }  // lazy: the same language, and only whole matches are asked
            if current == "+" { throw RegexSyntaxError("possessive repetition at offset \(position) is not supported (RE2 syntax)") }
            if case .assertion = node { throw RegexSyntaxError("missing argument to repetition operator at offset \(position - 1)") }
            node = .repetition(node, min: bounds.min, max: bounds.max)
        }
        return node
    }

    /// `{n}`, `{n,}` or `{n,m}`; nil (and nothing read) when the brace is a literal, as in RE2.
    private mutating func countedRepeat() throws -> (min: Int, max: Int?)? {
        var index = position + 1
        func number() -> Int? {
            var value = 0, digits = 0
            while index < scalars.count, let digit = Int(String(scalars[index])), scalars[index].isASCII {
                value = min(value * 10 + digit, Int(Int32.max))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if index < scalars.count, scalars[index] == "," {
            index += 1
            high = number()
        }
        guard index < scalars.count, scalars[index] == "}" else { return nil }
        let limit = RegexLimits.maxRepeatCount
        if low > limit || (high ?? 0) > limit { throw RegexSyntaxError("repeat count above \(limit) at offset \(position)") }
        if let high, high < low { throw RegexSyntaxError("bad repeat {\(low),\(high)} at offset \(position): the maximum is below the minimum") }
        position = index + 1
        return (low, high)
    }

    private mutating func atom() throws -> RegexNode {
        guard let c = current else { throw RegexSyntaxError("missing argument at the end of the pattern") }
        switch c {
        case "(":
            return try group()
        case "[":
            position += 1
            return .scalars(try characterClass())
        case ".":
            position += 1
            return .scalars(dotMatchesNewline ? .all : ScalarSet([ScalarSet.newline...ScalarSet.newline]).inverted)
        case "^":
            position += 1
            return .assertion(multiline ? .lineStart : .textStart)
        case "$":
            position += 1
            return .assertion(multiline ? .lineEnd : .textEnd)
        case "\\":
            return try escape()
        case "*", "+", "?":
            throw RegexSyntaxError("missing argument to repetition operator \(c) at offset \(position)")
        default:
            position += 1
            return literal(c.value)
        }
    }

    private func literal(_ value: UInt32) -> RegexNode {
        let set = ScalarSet([value...value])
        return .scalars(caseInsensitive ? set.caseFolded : set)
    }

    /// `(?flags)` alone: returns the new flags and consumes it; nil for any other group.
    private mutating func flagGroupWithoutBody() throws -> (Bool, Bool, Bool)? {
        var index = position + 2
        var flags = (caseInsensitive, dotMatchesNewline, multiline)
        var negate = false
        while index < scalars.count {
            switch scalars[index] {
            case "i": flags.0 = !negate
            case "s": flags.1 = !negate
            case "m": flags.2 = !negate
            case "U": break  // ungreedy: the same language
            case "-": negate = true
            case ")":
                position = index + 1
                return flags
            default: return nil
            }
            index += 1
        }
        return nil
    }

    private mutating func group() throws -> RegexNode {
        let start = position
        position += 1
        let saved = (caseInsensitive, dotMatchesNewline, multiline)
        defer { (caseInsensitive, dotMatchesNewline, multiline) = saved }
        if current == "?" {
            position += 1
            switch current {
            case ":": position += 1
            case "P", "<":
                if current == "P" { position += 1 }
                if current == "=" || current == "!" {
                    throw RegexSyntaxError("lookbehind at offset \(start) is not supported (RE2 syntax)")
                }
                guard current == "<" else { throw RegexSyntaxError("invalid named group at offset \(start)") }
                while let c = current, c != ">" { position += 1 }
                guard current == ">" else { throw RegexSyntaxError("unterminated group name at offset \(start)") }
                position += 1
            case "=", "!":
                throw RegexSyntaxError("lookahead at offset \(start) is not supported (RE2 syntax)")
            case ">":
                throw RegexSyntaxError("atomic group at offset \(start) is not supported (RE2 syntax)")
            default:
                var negate = false
                flags: while let c = current {
                    switch c {
                    case "i": caseInsensitive = !negate
                    case "s": dotMatchesNewline = !negate
                    case "m": multiline = !negate
                    case "U": break
                    case "-": negate = true
                    case ":": position += 1; break flags
                    default: throw RegexSyntaxError("invalid group flags at offset \(start)")
                    }
                    position += 1
                }
            }
        }
        depth += 1
        if depth > RegexLimits.maxNesting { throw RegexSyntaxError("groups nested deeper than \(RegexLimits.maxNesting)") }
        let inner = try alternation()
        depth -= 1
        guard current == ")" else { throw RegexSyntaxError("missing ) for the group at offset \(start)") }
        position += 1
        return inner
    }

    private mutating func escape() throws -> RegexNode {
        let start = position
        position += 1
        guard let c = current else { throw RegexSyntaxError("trailing \\ at the end of the pattern") }
        switch c {
        case "b": position += 1; return .assertion(.wordBoundary)
        case "B": position += 1; return .assertion(.notWordBoundary)
        case "A": position += 1; return .assertion(.textStart)
        case "z": position += 1; return .assertion(.textEnd)
        case "Q":
            position += 1
            var items: [RegexNode] = []
            while let q = current {
                if q == "\\", peek(1) == "E" { position += 2; break }
                items.append(literal(q.value))
                position += 1
            }
            return items.isEmpty ? .empty : .concat(items)
        default:
            position = start
            let set = try escapedSet()
            return .scalars(caseInsensitive ? set.caseFolded : set)
        }
    }

    /// An escape that stands for scalars (outside or inside a class), from its `\`.
    private mutating func escapedSet() throws -> ScalarSet {
        let start = position
        position += 1
        guard let c = current else { throw RegexSyntaxError("trailing \\ at the end of the pattern") }
        position += 1
        func one(_ value: UInt32) -> ScalarSet { ScalarSet([value...value]) }
        switch c {
        case "d": return .digits
        case "D": return ScalarSet.digits.inverted
        case "w": return .word
        case "W": return ScalarSet.word.inverted
        case "s": return .space
        case "S": return ScalarSet.space.inverted
        case "n": return one(10)
        case "t": return one(9)
        case "r": return one(13)
        case "f": return one(12)
        case "v": return one(11)
        case "a": return one(7)
        case "x": return one(try hexEscape(start))
        case "0":
            var value: UInt32 = 0
            for _ in 0..<2 {
                guard let d = current, ("0"..."7").contains(d) else { break }
                value = value * 8 + (d.value - 48)
                position += 1
            }
            return one(value)
        case "1"..."9":
            throw RegexSyntaxError("backreference \\\(c) at offset \(start) is not supported (RE2 syntax)")
        case "p", "P":
            throw RegexSyntaxError("Unicode class \\\(c) at offset \(start) is not supported")
        default:
            guard c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) else {
                throw RegexSyntaxError("invalid escape sequence \\\(c) at offset \(start)")
            }
            return one(c.value)
        }
    }

    private mutating func hexEscape(_ start: Int) throws -> UInt32 {
        var digits = ""
        if current == "{" {
            position += 1
            while let c = current, c != "}" { digits.unicodeScalars.append(c); position += 1 }
            guard current == "}" else { throw RegexSyntaxError("unterminated \\x{ at offset \(start)") }
            position += 1
        } else {
            for _ in 0..<2 {
                guard let c = current else { break }
                digits.unicodeScalars.append(c)
                position += 1
            }
        }
        guard !digits.isEmpty, digits.count <= 8, let value = UInt32(digits, radix: 16), Unicode.Scalar(value) != nil else {
            throw RegexSyntaxError("invalid hexadecimal escape at offset \(start)")
        }
        return value
    }

    /// After `[`: a bracketed class, through its `]`.
    private mutating func characterClass() throws -> ScalarSet {
        let start = position - 1
        var negated = false
        if current == "^" { negated = true; position += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let c = current else { throw RegexSyntaxError("missing ] for the class at offset \(start)") }
            if c == "]", !first { position += 1; break }
            first = false
            if c == "[", peek(1) == ":" {
                ranges += try posixClass(start).ranges
                continue
            }
            let low: UInt32
            if c == "\\" {
                let set = try escapedSet()
                guard set.ranges.count == 1, set.ranges[0].count == 1 else { ranges += set.ranges; continue }
                low = set.ranges[0].lowerBound
            } else {
                low = c.value
                position += 1
            }
            if current == "-", let next = peek(1), next != "]" {
                position += 1
                let high: UInt32
                if next == "\\" {
                    let set = try escapedSet()
                    guard set.ranges.count == 1, set.ranges[0].count == 1 else { throw RegexSyntaxError("bad class range at offset \(start)") }
                    high = set.ranges[0].lowerBound
                } else {
                    high = next.value
                    position += 1
                }
                guard low <= high else { throw RegexSyntaxError("bad class range at offset \(start): the end is below the start") }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        var set = ScalarSet(ranges)
        if caseInsensitive { set = set.caseFolded }
        return negated ? set.inverted : set
    }

    /// `[:name:]` inside a class (ASCII classes, as RE2 has them).
    private mutating func posixClass(_ start: Int) throws -> ScalarSet {
        var index = position + 2
        var name = ""
        while index < scalars.count, scalars[index] != ":" { name.unicodeScalars.append(scalars[index]); index += 1 }
        guard index + 1 < scalars.count, scalars[index + 1] == "]" else { throw RegexSyntaxError("invalid POSIX class at offset \(position)") }
        position = index + 2
        var negated = false
        if name.hasPrefix("^") { negated = true; name.removeFirst() }
        let ranges: [ClosedRange<UInt32>]
        switch name {
        case "alnum": ranges = [48...57, 65...90, 97...122]
        case "alpha": ranges = [65...90, 97...122]
        case "ascii": ranges = [0...127]
        case "blank": ranges = [9...9, 32...32]
        case "cntrl": ranges = [0...31, 127...127]
        case "digit": ranges = [48...57]
        case "graph": ranges = [33...126]
        case "lower": ranges = [97...122]
        case "print": ranges = [32...126]
        case "punct": ranges = [33...47, 58...64, 91...96, 123...126]
        case "space": ranges = [9...13, 32...32]
        case "upper": ranges = [65...90]
        case "word": ranges = [48...57, 65...90, 95...95, 97...122]
        case "xdigit": ranges = [48...57, 65...70, 97...102]
        default: throw RegexSyntaxError("unknown POSIX class [:\(name):] in the class at offset \(start)")
        }
        return negated ? ScalarSet(ranges).inverted : ScalarSet(ranges)
    }
}

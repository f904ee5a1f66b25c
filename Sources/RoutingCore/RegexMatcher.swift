import GatewayAPI

/// A compiled RegularExpression match: RE2 syntax (RegexSyntax.swift), matched
/// against the WHOLE value as Envoy's RE2 full match does, in time linear in the
/// value (RegexProgram.swift). A pattern that does not compile makes its rule
/// invalid (PartiallyInvalid / UnsupportedValue) rather than failing the load.
struct RegexMatcher: Sendable, Hashable {
    let pattern: String
    private let program: RegexProgram

    init(_ pattern: String) throws {
        self.pattern = pattern
        self.program = try RegexProgram(pattern)
    }

    func matches(_ value: String) -> Bool {
        program.matchesWhole(value)
    }

    static func == (a: RegexMatcher, b: RegexMatcher) -> Bool { a.pattern == b.pattern }
    func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}

/// Exact or regular-expression value match (headers, query parameters, gRPC method).
enum ValueMatcher: Sendable, Hashable {
    case exact(String)
    case regex(RegexMatcher)

    init(type: ValueMatchType, value: String) throws {
        switch type {
        case .exact: self = .exact(value)
        case .regularExpression: self = .regex(try RegexMatcher(value))
        }
    }

    func matches(_ value: String) -> Bool {
        switch self {
        case .exact(let expected): expected == value
        case .regex(let regex): regex.matches(value)
        }
    }

    var summary: String {
        switch self {
        case .exact(let value): "=\(value)"
        case .regex(let regex): "~\(regex.pattern)"
        }
    }
}

import GatewayAPI

/// A compiled RegularExpression match. Dialect: Swift `Regex` syntax (a
/// PCRE/ICU-style syntax close to RE2 for the constructs routes use: classes,
/// alternation, repetition, anchors), matched against the WHOLE value, as
/// Envoy's RE2 full match does. A pattern that does not compile makes its rule
/// invalid (PartiallyInvalid / UnsupportedValue) rather than failing the load.
struct RegexMatcher: @unchecked Sendable, Hashable {
    // Regex is immutable once built; matching from several threads is safe.
    let pattern: String
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern)
    }

    func matches(_ value: String) -> Bool {
        (try? regex.wholeMatch(in: value)) != nil
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

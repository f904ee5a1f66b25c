import GatewayAPI

/// The path part of a compiled match.
enum PathMatcher: Sendable, Hashable {
    case exact(String)
    /// Normalized prefix (no trailing `/` except the root) and the value's length as written.
    case prefix(String, written: Int)
    case regex(RegexMatcher)

    /// PathPrefix matches whole segments (httproute_types.go, PathMatchPathPrefix):
    /// `/abc` matches `/abc`, `/abc/` and `/abc/def`, never `/abcd`.
    static func normalizedPrefix(_ value: String) -> String {
        var value = value
        while value.count > 1 && value.hasSuffix("/") { value.removeLast() }
        return value
    }

    func matches(_ path: Substring) -> Bool {
        switch self {
        case .exact(let value): return path.utf8.elementsEqual(value.utf8)
        case .prefix(let prefix, _):
            let bytes = path.utf8, prefixBytes = prefix.utf8
            if prefixBytes.count == 1 { return true } // "/"
            guard bytes.count >= prefixBytes.count, bytes.starts(with: prefixBytes) else { return false }
            if bytes.count == prefixBytes.count { return true }
            return bytes[bytes.index(bytes.startIndex, offsetBy: prefixBytes.count)] == UInt8(ascii: "/")
        case .regex(let regex): return regex.matches(String(path))
        }
    }

    var summary: String {
        switch self {
        case .exact(let value): "Exact \(value)"
        case .prefix(let value, _): "PathPrefix \(value)"
        case .regex(let regex): "RegularExpression \(regex.pattern)"
        }
    }
}

/// One `HTTPRouteMatch` (or gRPC match) compiled for fast evaluation, with its
/// place in the precedence order. A class: the hot path walks lists of these,
/// and a reference costs one retain where a copy of every field would cost many.
final class CompiledMatch: Sendable {
    /// Index of the rule in the table's rule list.
    let ruleSlot: Int
    let ref: RuleRef
    let path: PathMatcher
    let method: String?
    /// Lower-cased header name, matcher; only the first match per name counts.
    let headers: [(name: String, matcher: ValueMatcher)]
    let queryParams: [(name: String, matcher: ValueMatcher)]
    /// gRPC only: service and method matchers with their written lengths.
    let grpcService: (matcher: ValueMatcher, length: Int)?
    let grpcMethod: (matcher: ValueMatcher, length: Int)?
    let precedence: Precedence

    init(ruleSlot: Int, ref: RuleRef, path: PathMatcher, method: String?, headers: [(name: String, matcher: ValueMatcher)],
         queryParams: [(name: String, matcher: ValueMatcher)], grpcService: (matcher: ValueMatcher, length: Int)?,
         grpcMethod: (matcher: ValueMatcher, length: Int)?, precedence: Precedence) {
        self.ruleSlot = ruleSlot
        self.ref = ref
        self.path = path
        self.method = method
        self.headers = headers
        self.queryParams = queryParams
        self.grpcService = grpcService
        self.grpcMethod = grpcMethod
        self.precedence = precedence
    }

    var summary: String {
        var parts: [String] = []
        if let grpcService { parts.append("service \(grpcService.matcher.summary)") }
        if let grpcMethod { parts.append("method \(grpcMethod.matcher.summary)") }
        if grpcService == nil && grpcMethod == nil && ref.kind == "HTTPRoute" { parts.append(path.summary) }
        if let method { parts.append("method \(method)") }
        for header in headers { parts.append("header \(header.name)\(header.matcher.summary)") }
        for query in queryParams { parts.append("query \(query.name)\(query.matcher.summary)") }
        return parts.isEmpty ? "any request" : parts.joined(separator: ", ")
    }

    /// Does this match accept the request (path already split from the query)?
    func matches(path: Substring, method requestMethod: String, headers requestHeaders: HeaderIndex, query: QueryIndex) -> Bool {
        if let method, method != requestMethod { return false }
        let isGRPC = grpcService != nil || grpcMethod != nil
        if !isGRPC, ref.kind == "HTTPRoute", !self.path.matches(path) { return false }
        if isGRPC {
            guard let (service, method) = GRPCPath.split(path) else { return false }
            if let grpcService, !grpcService.matcher.matches(service) { return false }
            if let grpcMethod, !grpcMethod.matcher.matches(method) { return false }
        }
        for header in headers {
            guard let value = requestHeaders.value(header.name), header.matcher.matches(value) else { return false }
        }
        for param in queryParams {
            guard let value = query.value(param.name), param.matcher.matches(value) else { return false }
        }
        return true
    }

    /// Whether `matches` gives `other`'s answer for every request: the same
    /// conditions (TablePair pairs virtual hosts by it).
    func acceptsSameRequests(as other: CompiledMatch) -> Bool {
        func same(_ x: [(name: String, matcher: ValueMatcher)], _ y: [(name: String, matcher: ValueMatcher)]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.matcher == $1.matcher }
        }
        return ref.kind == other.ref.kind && path == other.path && method == other.method
            && same(headers, other.headers) && same(queryParams, other.queryParams)
            && grpcService?.matcher == other.grpcService?.matcher && grpcService?.length == other.grpcService?.length
            && grpcMethod?.matcher == other.grpcMethod?.matcher && grpcMethod?.length == other.grpcMethod?.length
    }
}

/// gRPC requests are `POST /package.Service/Method`.
enum GRPCPath {
    static func split(_ path: Substring) -> (service: String, method: String)? {
        guard path.hasPrefix("/") else { return nil }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}

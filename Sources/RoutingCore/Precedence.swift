import GatewayAPI

/// Where a match stands in the precedence order. All of route precedence lives
/// here, in the order the spec gives it:
/// - HTTPRoute (httproute_types.go, HTTPRouteRule.matches): Exact path, then the
///   longest PathPrefix, then a method match, then the most header matches, then
///   the most query-param matches; across routes the oldest route, then
///   `{namespace}/{name}` alphabetically; within a route the first rule, then
///   (gwsim's choice, the spec is silent) the first match. RegularExpression
///   paths are implementation-specific: gwsim ranks them after Exact and before
///   every PathPrefix, longer patterns first, as Envoy Gateway does.
/// - GRPCRoute (grpcroute_types.go, GRPCRouteRule.matches): the most characters
///   in a matching service, then in a matching method, then the most header
///   matches, then the same route and rule tie-breaks.
/// Hostname specificity comes before all of this and is handled by the virtual
/// host lookup (an exact hostname beats the longest wildcard, which beats `*`).
struct Precedence: Sendable {
    /// 0 Exact, 1 RegularExpression, 2 PathPrefix (HTTP); 0 for gRPC.
    let pathKind: Int
    /// Characters in the path value (HTTP), or in the service (gRPC).
    let primaryLength: Int
    /// gRPC: characters in the method. HTTP: 0.
    let secondaryLength: Int
    let hasMethod: Bool
    let headerCount: Int
    let queryCount: Int
    let routeAge: ObjectMeta
    let routeName: String // "{namespace}/{name}"
    let rule: Int
    let match: Int

    /// True when `self` takes precedence over `other`.
    func beats(_ other: Precedence) -> Bool { comparison(other).map { $0.wins } ?? false }

    /// The first criterion on which the two differ: whether `self` wins on it, and its name.
    func comparison(_ other: Precedence) -> (wins: Bool, criterion: String)? {
        if pathKind != other.pathKind {
            let names = ["Exact path", "RegularExpression path", "PathPrefix path"]
            return (pathKind < other.pathKind, "\(names[min(pathKind, 2)]) beats \(names[min(other.pathKind, 2)])")
        }
        if primaryLength != other.primaryLength {
            return (primaryLength > other.primaryLength, "longer match (\(max(primaryLength, other.primaryLength)) characters beat \(min(primaryLength, other.primaryLength)))")
        }
        if secondaryLength != other.secondaryLength {
            return (secondaryLength > other.secondaryLength, "longer method match")
        }
        if hasMethod != other.hasMethod { return (hasMethod, "a method match beats none") }
        if headerCount != other.headerCount {
            return (headerCount > other.headerCount, "more header matches (\(max(headerCount, other.headerCount)) beat \(min(headerCount, other.headerCount)))")
        }
        if queryCount != other.queryCount {
            return (queryCount > other.queryCount, "more query-param matches (\(max(queryCount, other.queryCount)) beat \(min(queryCount, other.queryCount)))")
        }
        if routeName != other.routeName {
            if routeAge.isOlder(than: other.routeAge) { return (true, "older route") }
            if other.routeAge.isOlder(than: routeAge) { return (false, "older route") }
            return (routeName < other.routeName, "route name first alphabetically")
        }
        if rule != other.rule { return (rule < other.rule, "earlier rule in the route") }
        if match != other.match { return (match < other.match, "earlier match in the rule") }
        return nil
    }
}

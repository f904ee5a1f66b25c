import GatewayAPI

/// Builds the `Location` of a RequestRedirect (httproute_types.go,
/// HTTPRequestRedirectFilter): scheme and hostname default to the request's;
/// without a port, a changed scheme takes its well-known port and an unchanged
/// one the listener's; ports 80 for http and 443 for https are left out.
enum RedirectBuilder {
    static func location(_ filter: RequestRedirect, request: RouteRequest, listener: CompiledListener, match: CompiledMatch) -> String {
        let scheme = (filter.scheme ?? request.scheme).lowercased()
        let host = filter.hostname ?? Hostnames.normalizeHost(request.host)
        let port: Int
        if let explicit = filter.port {
            port = explicit
        } else if let changed = filter.scheme {
            port = wellKnownPort(changed) ?? listener.ref.port
        } else {
            port = listener.ref.port
        }
        let path = filter.path.map { PathRewrite.apply($0, to: request.path, match: match) } ?? request.path
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let omitPort = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        return "\(scheme)://\(hostPart)\(omitPort ? "" : ":\(port)")\(path)"
    }

    static func wellKnownPort(_ scheme: String) -> Int? {
        switch scheme.lowercased() {
        case "http": 80
        case "https": 443
        default: nil
        }
    }
}

/// `HTTPPathModifier` applied to a path with its query (httproute_types.go):
/// ReplaceFullPath swaps the whole path; ReplacePrefixMatch swaps the matched
/// prefix on segment boundaries, so `/foo` -> `/xyz` turns `/foo/bar` into
/// `/xyz/bar` and `/foo/` into `/xyz/`, with or without trailing slashes on
/// either side. The query string is kept.
enum PathRewrite {
    static func apply(_ modifier: PathModifier, to target: String, match: CompiledMatch) -> String {
        let (path, query) = splitPathAndQuery(target)
        let suffix = query.map { "?" + $0 } ?? ""
        switch modifier {
        case .replaceFullPath(let value):
            return value + suffix
        case .replacePrefixMatch(let value):
            guard case .prefix(let prefix, _) = match.path else { return String(path) + suffix }
            let remainder = prefix == "/" ? path : path.dropFirst(prefix.count)
            var replacement = value
            while replacement.hasSuffix("/") { replacement.removeLast() }
            var result = replacement + remainder
            if result.isEmpty { result = "/" }
            if !result.hasPrefix("/") { result = "/" + result }
            return result + suffix
        }
    }
}

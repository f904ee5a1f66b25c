import GatewayAPI

/// The CORS filter (httproute_types.go, HTTPCORSFilter). A preflight (OPTIONS
/// with Origin and Access-Control-Request-Method) is answered by the gateway; an
/// actual request from an allowed origin gets the response headers added. A
/// disallowed origin gets no CORS headers at all.
enum CORSEvaluation {
    static func evaluate(_ policy: CORSPolicy, request: RouteRequest) -> CORSResult? {
        let headers = HeaderIndex(headers: request.headers)
        guard let origin = headers.value("origin") else { return nil }
        let requestedMethod = headers.value("access-control-request-method")
        let preflight = request.method == "OPTIONS" && requestedMethod != nil
        guard originAllowed(origin, policy.allowOrigins) else {
            return CORSResult(preflight: preflight, allowed: false, headers: [])
        }
        var out: [HTTPHeader] = []
        // With credentials a wildcard may not be sent back: always echo the origin.
        let wildcardOrigin = policy.allowOrigins.contains("*") && !policy.allowCredentials
        out.append(HTTPHeader(name: "access-control-allow-origin", value: wildcardOrigin ? "*" : origin))
        if policy.allowCredentials { out.append(HTTPHeader(name: "access-control-allow-credentials", value: "true")) }
        if preflight {
            if policy.allowMethods.contains("*") {
                out.append(HTTPHeader(name: "access-control-allow-methods", value: policy.allowCredentials ? (requestedMethod ?? "*") : "*"))
            } else if !policy.allowMethods.isEmpty {
                out.append(HTTPHeader(name: "access-control-allow-methods", value: policy.allowMethods.joined(separator: ", ")))
            }
            let requestedHeaders = headers.value("access-control-request-headers")
            if policy.allowHeaders.contains("*") {
                // With credentials `*` would be read literally: echo what was asked for,
                // and nothing when nothing was (HTTPCORSFilter allowHeaders).
                if !policy.allowCredentials {
                    out.append(HTTPHeader(name: "access-control-allow-headers", value: "*"))
                } else if let requestedHeaders {
                    out.append(HTTPHeader(name: "access-control-allow-headers", value: requestedHeaders))
                }
            } else if !policy.allowHeaders.isEmpty {
                out.append(HTTPHeader(name: "access-control-allow-headers", value: policy.allowHeaders.joined(separator: ", ")))
            }
            out.append(HTTPHeader(name: "access-control-max-age", value: String(policy.maxAge)))
        }
        // With credentials the wildcard cannot be used (HTTPCORSFilter exposeHeaders): only the names go.
        let exposed = policy.allowCredentials ? policy.exposeHeaders.filter { $0 != "*" } : policy.exposeHeaders
        if !exposed.isEmpty {
            out.append(HTTPHeader(name: "access-control-expose-headers", value: exposed.joined(separator: ", ")))
        }
        return CORSResult(preflight: preflight, allowed: true, headers: out)
    }

    /// An allowed origin is `*`, an exact `scheme://host[:port]`, or a pattern
    /// with a `*` label (`https://*.example.com`) that matches one or more labels.
    static func originAllowed(_ origin: String, _ allowed: [String]) -> Bool {
        let origin = withoutDefaultPort(origin.lowercased())
        for pattern in allowed.map({ withoutDefaultPort($0.lowercased()) }) {
            if pattern == "*" || pattern == origin { return true }
            guard let star = pattern.firstIndex(of: "*") else { continue }
            let head = pattern[..<star]
            let tail = pattern[pattern.index(after: star)...]
            if origin.hasPrefix(head), origin.hasSuffix(tail), origin.count > head.count + tail.count {
                let middle = origin.dropFirst(head.count).dropLast(tail.count)
                if !middle.contains("/") { return true }
            }
        }
        return false
    }

    /// An origin without a port means port 80 for http and 443 for https
    /// (HTTPCORSFilter allowOrigins), so `https://a.com:443` is `https://a.com`.
    static func withoutDefaultPort(_ origin: String) -> String {
        if origin.hasPrefix("http://"), origin.hasSuffix(":80") { return String(origin.dropLast(3)) }
        if origin.hasPrefix("https://"), origin.hasSuffix(":443") { return String(origin.dropLast(4)) }
        return origin
    }
}

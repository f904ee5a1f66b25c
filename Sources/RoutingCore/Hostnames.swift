/// Hostname matching as the Gateway API defines it (gateway_types.go, Listener
/// `hostname`; httproute_types.go, HTTPRoute `hostnames`): a leading `*.` label is
/// a suffix match over one or more labels, so `*.example.com` matches
/// `a.example.com` and `a.b.example.com` but not `example.com`. Comparison is
/// case-insensitive.
enum Hostnames {
    /// Lower-cases a Host header value and removes its port (`Host: a.com:8080`),
    /// including the bracketed IPv6 form (`[::1]:80`).
    static func normalizeHost(_ host: String) -> String {
        if isNormal(host) { return host }
        var text = Substring(host)
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]") { text = text[text.index(after: text.startIndex)..<close] }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            text = text[..<colon]
        }
        if text.hasSuffix(".") { text = text.dropLast() }
        return text.lowercased()
    }

    /// Already lower-case, without port, brackets or trailing dot: nothing to do.
    @inline(__always)
    static func isNormal(_ host: String) -> Bool {
        var last: UInt8 = 0
        for byte in host.utf8 {
            if (byte >= 65 && byte <= 90) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") { return false }
            last = byte
        }
        return last != UInt8(ascii: ".")
    }

    static func isWildcard(_ pattern: String) -> Bool { pattern.hasPrefix("*.") }

    /// Does `pattern` (exact or `*.suffix`) match the concrete hostname `host`?
    static func matches(pattern: String, host: String) -> Bool {
        if isWildcard(pattern) {
            let suffix = pattern.dropFirst(1) // ".example.com"
            return host.count > suffix.count && host.hasSuffix(suffix)
        }
        return pattern == host
    }

    /// The intersection of a listener hostname and a route hostname, or nil when
    /// they have none (httproute_types.go, `hostnames`: the more specific of the
    /// two is what the route serves on that listener).
    static func intersect(listener: String?, route: String) -> String? {
        guard let listener else { return route }
        if listener == route { return route }
        switch (isWildcard(listener), isWildcard(route)) {
        case (false, false): return nil
        case (true, false): return matches(pattern: listener, host: route) ? route : nil
        case (false, true): return matches(pattern: route, host: listener) ? listener : nil
        case (true, true):
            // Both wildcards: the longer one, when it lies under the shorter one.
            if route.count > listener.count { return route.hasSuffix(listener.dropFirst(1)) ? route : nil }
            return listener.hasSuffix(route.dropFirst(1)) ? listener : nil
        }
    }

    /// The hostnames a route serves on a listener: the intersections of its
    /// hostnames with the listener's, `[listener]` when the route has none, and
    /// `["*"]` (any host) when neither sets one. Empty = no intersection.
    static func effective(listener: String?, route: [String]) -> [String] {
        if route.isEmpty { return [listener ?? "*"] }
        var result: [String] = []
        for hostname in route {
            if let both = intersect(listener: listener, route: hostname.lowercased()), !result.contains(both) {
                result.append(both)
            }
        }
        return result
    }

    /// The keys to look a concrete host up under, most specific first: the host
    /// itself, then each wildcard suffix from the longest, then `*`.
    static func lookupKeys(for host: String) -> [String] {
        var keys = [host]
        var rest = Substring(host)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if rest.isEmpty { break }
            keys.append("*." + rest)
        }
        keys.append("*")
        return keys
    }
}

import GatewayAPI

/// Routes one HTTP request through the table: Gateway, listener, virtual host,
/// winning match, then the rule's filters and weighted backend choice.
struct HTTPRouter {
    let table: RoutingTable
    let request: RouteRequest
    let key: String
    let explain: Bool

    func decide() -> Decision {
        let (pathPart, queryPart) = splitPathAndQuery(request.path)
        let forwarded = ForwardedRequest(method: request.method, scheme: request.scheme, host: request.host, path: request.path,
                                         headers: request.headers.map { HTTPHeader(name: $0.name.lowercased(), value: $0.value) })
        let gateway: ObjectKey
        switch table.gateway(for: request.gateway, port: request.port) {
        case .success(let key): gateway = key
        case .failure(let failure): return Decision(outcome: .error, status: 404, reason: failure.message, request: forwarded)
        }
        let host = Hostnames.normalizeHost(request.host)
        let isHTTPS = request.scheme.lowercased() == "https"
        let protocols: [ListenerProtocol] = isHTTPS ? [.https] : [.http]
        let selector = isHTTPS ? (request.sni.map { $0.lowercased() } ?? host) : host
        guard let listenerIndex = table.listener(gateway: gateway, port: request.port, protocols: protocols, host: selector) else {
            return Decision(outcome: .error, status: 404,
                            reason: "no \(isHTTPS ? "HTTPS" : "HTTP") listener of \(gateway.namespace)/\(gateway.name) on port \(request.port) accepts host \(selector)",
                            request: forwarded)
        }
        let listener = table.listeners[gateway]![listenerIndex]
        if isHTTPS, request.sni != nil, let misdirected = misdirection(gateway: gateway, selected: listenerIndex, host: host) {
            return Decision(listener: listener.ref, outcome: .error, status: misdirected.status, reason: misdirected.reason, request: forwarded)
        }

        let isGRPC = (HeaderIndex(headers: request.headers).value("content-type") ?? "").lowercased().hasPrefix("application/grpc")
        let headers = HeaderIndex(headers: request.headers)
        let query = QueryIndex(query: queryPart)
        let method = request.method.uppercased()
        var winner: CompiledMatch?
        for hostKey in Hostnames.lookupKeys(for: host) {
            guard let vhost = listener.vhosts[hostKey] else { continue }
            if isGRPC, !vhost.grpc.isEmpty {
                winner = vhost.grpc.first { $0.matches(path: pathPart, method: method, headers: headers, query: query) }
            } else {
                winner = firstHTTPMatch(vhost, path: pathPart, method: method, headers: headers, query: query)
            }
            break // the most specific hostname that has routes decides (no fall-through)
        }
        let candidates = explain ? explanation(listener: listener, host: host, winner: winner, isGRPC: isGRPC,
                                               path: pathPart, method: method, headers: headers, query: query) : []
        guard let winner else {
            var decision = Decision(listener: listener.ref, outcome: .error, status: 404, reason: "no route rule matches", request: forwarded)
            decision.candidates = candidates
            return decision
        }
        var decision = RuleAction(rule: table.rules[winner.ruleSlot], match: winner, listener: listener, request: request,
                                  forwarded: forwarded, key: key).apply()
        decision.candidates = candidates
        return decision
    }

    /// Exact paths first, then regular expressions, then prefixes from the
    /// longest candidate down (Precedence explains the order).
    func firstHTTPMatch(_ vhost: VirtualHost, path: Substring, method: String, headers: HeaderIndex, query: QueryIndex) -> CompiledMatch? {
        if !vhost.exact.isEmpty, let entries = vhost.exact[String(path)],
           let hit = entries.first(where: { $0.matches(path: path, method: method, headers: headers, query: query) }) {
            return hit
        }
        for entry in vhost.regex where entry.matches(path: path, method: method, headers: headers, query: query) { return entry }
        if vhost.prefix.isEmpty { return nil }
        for candidate in PrefixCandidates(path) {
            guard let entries = vhost.prefix[String(candidate)] else { continue }
            if let hit = entries.first(where: { $0.matches(path: path, method: method, headers: headers, query: query) }) { return hit }
        }
        return nil
    }

    /// Misdirected requests on HTTPS (gateway_types.go, Listener hostname): the
    /// listener was picked by SNI; if the Host header belongs to another listener
    /// the answer is 421, and if it belongs to none, 404.
    func misdirection(gateway: ObjectKey, selected: Int, host: String) -> (status: Int, reason: String)? {
        let byHost = table.listener(gateway: gateway, port: request.port, protocols: [.https], host: host)
        if byHost == selected { return nil }
        if byHost != nil { return (421, "Host \(host) belongs to another listener than the SNI \(request.sni ?? "") selected") }
        return (404, "no listener accepts Host \(host)")
    }

    /// Every match in the listener that accepts the request, in precedence order,
    /// each with why it lost to the winner.
    func explanation(listener: CompiledListener, host: String, winner: CompiledMatch?, isGRPC: Bool,
                     path: Substring, method: String, headers: HeaderIndex, query: QueryIndex) -> [Candidate] {
        var result: [Candidate] = []
        var decidingHost: String?
        for hostKey in Hostnames.lookupKeys(for: host) {
            guard let vhost = listener.vhosts[hostKey] else { continue }
            let useGRPC = isGRPC && !vhost.grpc.isEmpty
            let all = useGRPC ? vhost.grpc : vhost.allHTTPMatches
            for match in all where match.matches(path: path, method: method, headers: headers, query: query) {
                let lost: String?
                if let decidingHost, decidingHost != hostKey {
                    lost = "hostname \(decidingHost) is more specific than \(hostKey)"
                } else if let winner, match.ref == winner.ref {
                    lost = nil
                } else if let winner, let comparison = winner.precedence.comparison(match.precedence) {
                    lost = comparison.criterion
                } else {
                    lost = "not selected"
                }
                result.append(Candidate(rule: match.ref, hostname: hostKey, summary: match.summary, lostBecause: lost))
            }
            if decidingHost == nil { decidingHost = hostKey }
        }
        return result
    }
}

/// The normalized PathPrefix keys a path can match, longest first:
/// `/a/b/c` -> `/a/b/c`, `/a/b`, `/a`, `/`.
struct PrefixCandidates: Sequence, IteratorProtocol {
    private let path: Substring
    private var end: Substring.Index?
    private var doneRoot = false

    init(_ path: Substring) {
        self.path = path
        var end = path.endIndex
        while end > path.startIndex, path[path.index(before: end)] == "/" { end = path.index(before: end) }
        self.end = end > path.startIndex ? end : nil
    }

    mutating func next() -> Substring? {
        if let current = end {
            let candidate = path[path.startIndex..<current]
            if let slash = candidate.lastIndex(of: "/"), slash > path.startIndex {
                end = slash
            } else {
                end = nil
            }
            if candidate != "/" { return candidate }
        }
        if !doneRoot {
            doneRoot = true
            return "/"
        }
        return nil
    }
}

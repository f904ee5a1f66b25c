import GatewayAPI

/// Routes one HTTP request through the table: Gateway, listener, virtual host,
/// winning match, then the rule's filters and weighted backend choice.
enum HTTPRouter {
    static func decide(table: RoutingTable, request: RouteRequest, key: String, explain: Bool) -> Decision {
        if !explain {
            switch table.flat.lookup(request) {
            case .hit(let listener, let match):
                let flat = table.flat
                let winner = flat.matchObjects[Int(flat.matches[Int(match)].object)]
                return forward(table: table, listener: flat.listenerObjects[Int(listener)], winner: winner, request: request, key: key)
            case .miss(let listener, _):
                return Decision(listener: table.flat.listenerObjects[Int(listener)].ref, outcome: .error, status: 404,
                                reason: "no route rule matches", request: forwardedRequest(request))
            case .fallback:
                break
            }
        }
        return decideByObjects(table: table, request: request, key: key, explain: explain)
    }

    static func forwardedRequest(_ request: RouteRequest) -> ForwardedRequest {
        ForwardedRequest(method: request.method, scheme: request.scheme, host: request.host, path: request.path, headers: request.headers)
    }

    /// The winning match's rule acts on the request: filters, then the weighted backend choice.
    static func forward(table: RoutingTable, listener: CompiledListener, winner: CompiledMatch, request: RouteRequest, key: String) -> Decision {
        var decision = Decision(listener: listener.ref, outcome: .forward, request: forwardedRequest(request))
        RuleAction.apply(table.rules[winner.ruleSlot], match: winner, listener: listener, request: request, key: key, to: &decision)
        return decision
    }

    /// The object-graph path: every case, with explanations. The flat index
    /// (FlatLookup.swift) must agree with it on every request it handles.
    static func decideByObjects(table: RoutingTable, request: RouteRequest, key: String, explain: Bool) -> Decision {
        let (pathPart, queryPart) = splitPathAndQuery(request.path)
        let forwarded = forwardedRequest(request)
        let entry: RoutingTable.PortGateway
        switch table.gateway(for: request.gateway, port: request.port) {
        case .success(let hit): entry = hit
        case .failure(let failure): return Decision(outcome: .error, status: 404, reason: failure.message, request: forwarded)
        }
        let host = Hostnames.normalizeHost(request.host)
        let isHTTPS = request.scheme.utf8.count == 5 && request.scheme.asciiEqualsIgnoringCase("https")
        let proto: ListenerProtocol = isHTTPS ? .https : .http
        // An HTTPS connection whose client sent no SNI was taken by an HTTPS listener
        // (else it would not be read as HTTP): its Host picks among them.
        let selector = isHTTPS ? Hostnames.normalizeHost(request.clientHelloName ?? host) : host
        if isHTTPS, entry.listeners.contains(where: { $0.proto == .tls }),
           let taker = RoutingTable.tlsFamilyListener(in: entry.listeners, sni: request.clientHelloName), taker.proto == .tls {
            // The ClientHello went to a TLS listener: the gateway never reads this request,
            // the TLSRoute's backend receives it as sent.
            var decision = table.routeConnection(ConnectionRequest(gateway: entry.requestGateway, port: request.port, protocol: .tls,
                                                                   sni: request.clientHelloName), key: key)
            decision.request = forwarded
            return decision
        }
        guard let listener = RoutingTable.listener(in: entry.listeners, proto: proto, host: selector) else {
            return Decision(outcome: .error, status: 404,
                            reason: "no \(isHTTPS ? "HTTPS" : "HTTP") listener of \(entry.name) on port \(request.port) accepts host \(selector)",
                            request: forwarded)
        }
        if isHTTPS, request.sni?.isEmpty == false, let misdirected = misdirection(entry: entry, request: request, selected: listener, host: host) {
            return Decision(listener: listener.ref, outcome: .error, status: misdirected.status, reason: misdirected.reason, request: forwarded)
        }

        let headers = HeaderIndex(headers: request.headers)
        let isGRPC = Self.isGRPC(headers.value("content-type"))
        let query = QueryIndex(query: queryPart)
        // The method token is case-sensitive (RFC 9110 §9.1; HTTPMethod names RFC 7231's
        // methods): `get` is not GET.
        let method = request.method
        var winner: CompiledMatch?
        // The most specific hostname that has routes decides; there is no fall-through
        // to less specific hostnames (httproute_types.go, hostnames precedence).
        if let vhost = Self.virtualHost(listener, host: host) {
            if isGRPC, !vhost.grpc.isEmpty {
                winner = vhost.grpc.first { $0.matches(path: pathPart, method: method, headers: headers, query: query) }
            } else {
                winner = firstHTTPMatch(vhost, path: pathPart, method: method, headers: headers, query: query)
            }
        }
        let candidates = explain ? explanation(listener: listener, host: host, winner: winner, isGRPC: isGRPC,
                                               path: pathPart, method: method, headers: headers, query: query) : []
        guard let winner else {
            var decision = Decision(listener: listener.ref, outcome: .error, status: 404, reason: "no route rule matches", request: forwarded)
            decision.candidates = candidates
            return decision
        }
        var decision = forward(table: table, listener: listener, winner: winner, request: request, key: key)
        decision.candidates = candidates
        return decision
    }

    /// The virtual host for a normalized host: exact, then wildcard suffixes from
    /// the longest, then `*`.
    static func virtualHost(_ listener: CompiledListener, host: String) -> VirtualHost? {
        if let exact = listener.vhosts[host] { return exact }
        if listener.hasWildcardHosts {
            var rest = Substring(host)
            while let dot = rest.firstIndex(of: ".") {
                rest = rest[rest.index(after: dot)...]
                if rest.isEmpty { break }
                if let wildcard = listener.vhosts["*." + rest] { return wildcard }
            }
        }
        return listener.vhosts["*"]
    }

    static func isGRPC(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        return contentType.utf8.count >= 16 && contentType.prefix(16).asciiEqualsIgnoringCase("application/grpc")
    }

    /// Exact paths first, then regular expressions, then prefixes from the
    /// longest candidate down (Precedence explains the order).
    static func firstHTTPMatch(_ vhost: VirtualHost, path: Substring, method: String, headers: HeaderIndex, query: QueryIndex) -> CompiledMatch? {
        if !vhost.exact.isEmpty, let entries = vhost.exact[ByteHash.of(path.utf8)],
           let hit = entries.first(where: { $0.matches(path: path, method: method, headers: headers, query: query) }) {
            return hit
        }
        for entry in vhost.regex where entry.matches(path: path, method: method, headers: headers, query: query) { return entry }
        if vhost.prefix.isEmpty { return nil }
        return PrefixHashes.firstHit(path.utf8) { hash in
            guard let entries = vhost.prefix[hash] else { return nil }
            return entries.first { $0.matches(path: path, method: method, headers: headers, query: query) }
        }
    }

    /// Misdirected requests on HTTPS (gateway_types.go, Listener hostname): the
    /// listener was picked by SNI; if the Host header belongs to another listener
    /// the answer is 421, and if it belongs to none, 404.
    /// A Host that a TLS listener on the port would take by SNI is misdirected too: the
    /// client reused a connection (HTTP/2 coalescing, RFC 9113 §9.1.1) that this host's
    /// own ClientHello would not have reached.
    static func misdirection(entry: RoutingTable.PortGateway, request: RouteRequest, selected: CompiledListener, host: String) -> (status: Int, reason: String)? {
        if entry.listeners.contains(where: { $0.proto == .tls }),
           let taker = RoutingTable.tlsFamilyListener(in: entry.listeners, sni: host), taker.proto == .tls {
            return (421, "Host \(host) belongs to TLS listener \(taker.ref.name), which its own ClientHello would reach, not to the listener the SNI \(request.sni ?? "") selected")
        }
        let byHost = RoutingTable.listener(in: entry.listeners, proto: .https, host: host)
        if byHost === selected { return nil }
        if byHost != nil { return (421, "Host \(host) belongs to another listener than the SNI \(request.sni ?? "") selected") }
        return (404, "no listener accepts Host \(host)")
    }

    /// Every match in the listener that accepts the request, in precedence order,
    /// each with why it lost to the winner.
    static func explanation(listener: CompiledListener, host: String, winner: CompiledMatch?, isGRPC: Bool,
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

/// The normalized PathPrefix keys a path can match, as hashes, longest first:
/// `/a/b/c` -> `/a/b/c`, `/a/b`, `/a`, `/`. FNV-1a is incremental, so one pass
/// over the bytes yields the hash of every prefix that ends at a segment boundary.
/// `depths` (bit n: some prefix has n segments, bit 63: 63 or more) skips the
/// boundaries no prefix of the virtual host can match; the object path passes all.
enum PrefixHashes {
    static let everyDepth = UInt64.max

    static func firstHit<Bytes: Collection, T>(_ bytes: Bytes, depths: UInt64 = everyDepth, _ lookup: (UInt64) -> T?) -> T?
    where Bytes.Element == UInt8 {
        // A path has at most its length + 2 candidates: a short one needs no count of
        // its slashes first (a pass over every request's path).
        let count = bytes.count
        let capacity = count <= shortPath ? shortPath + 2 : capacity(bytes)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: capacity) { buffer -> T? in
            let count = candidates(bytes, depths: depths, into: buffer.baseAddress!, capacity: capacity)!.count
            for index in 0..<count {
                if let hit = lookup(buffer[index]) { return hit }
            }
            return nil
        }
    }

    /// Paths up to this many bytes get room for every candidate they could have without counting.
    static let shortPath = 62

    /// Room for every candidate of `bytes`: one per segment boundary, the whole path and `/`.
    static func capacity<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        bytes.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 } + 2
    }

    /// Writes the candidates' hashes, longest first, to `buffer`; returns how
    /// many there are and the hash of the whole path (`ByteHash.of`, the
    /// Exact key, a by-product of the walk; nil when the walk stopped short,
    /// past the deepest depth in `depths`), or nil when there are more
    /// candidates than `capacity` (which `capacity(bytes)` always holds).
    static func candidates<Bytes: Collection>(_ bytes: Bytes, depths: UInt64, into buffer: UnsafeMutablePointer<UInt64>,
                                              capacity: Int) -> (count: Int, pathHash: UInt64?)?
    where Bytes.Element == UInt8 {
        var count = 0
        var segments = 0
        var hash = ByteHash.seed
        var index = 0
        var last: UInt8 = 0
        // A candidate's depth is the segments counted so far, which only grow.
        let deepest = depths >> 63 != 0 ? Int.max : 63 - depths.leadingZeroBitCount
        var whole = true
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                if index > 0, depths & (1 << UInt64(min(63, segments))) != 0 {
                    guard count < capacity else { return nil }
                    buffer[count] = hash
                    count += 1
                }
                segments += 1
                if segments > deepest {
                    whole = false
                    break
                }
            }
            hash = ByteHash.mix(hash, byte)
            last = byte
            index += 1
        }
        if whole, index > 1, last != UInt8(ascii: "/"), depths & (1 << UInt64(min(63, segments))) != 0 {
            guard count < capacity else { return nil }
            buffer[count] = hash
            count += 1
        }
        // Longest first: reverse what the walk wrote shortest first.
        var low = 0, high = count - 1
        while low < high {
            let swap = buffer[low]
            buffer[low] = buffer[high]
            buffer[high] = swap
            low += 1
            high -= 1
        }
        if depths & 1 != 0 {
            guard count < capacity else { return nil }
            buffer[count] = ByteHash.mix(ByteHash.seed, UInt8(ascii: "/"))
            count += 1
        }
        return (count, whole ? hash : nil)
    }
}

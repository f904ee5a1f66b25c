import GatewayAPI

/// What the flat index found for a request.
enum FlatResult {
    /// The listener (index in `FlatTable.listeners`) and the winning match (index in `FlatTable.matches`).
    case hit(listener: Int32, match: Int32)
    /// The listener accepts the request but no match does: 404. `virtualHost`
    /// is the one searched, -1 when no hostname of the listener's took it.
    case miss(listener: Int32, virtualHost: Int32)
    /// Something the index does not decide (an explanation, an ambiguous port,
    /// an unusual Host, gRPC, misdirection): the object path decides.
    case fallback
}

extension FlatTable {
    /// The same answer as the object path (HTTPRouter) for the requests it
    /// handles, without reference counting or allocation: Gateway by port,
    /// listener by protocol and hostname specificity, virtual host by exact
    /// hostname then wildcard suffixes then `*`, then Exact, RegularExpression
    /// and PathPrefix lists in precedence order (Precedence.swift).
    func lookup(_ request: RouteRequest) -> FlatResult {
        guard let gateway = BorrowedRequest.withGateway(request.gateway, { portGateway(port: request.port, gateway: $0) }) else {
            return .fallback
        }
        let isHTTPS = request.scheme.utf8.count == 5 && request.scheme.asciiEqualsIgnoringCase("https")
        // Everything the lookup reads is borrowed through pointers: a RouteRequest
        // passed by value into the closures below is copied (a retain per string).
        let result = withUnsafePointer(to: request) { request in
            request.pointee.headers.withUnsafeBufferPointer { headers in
                request.pointee.host.utf8.withContiguousStorageIfAvailable { host -> FlatResult? in
                    request.pointee.path.utf8.withContiguousStorageIfAvailable { target -> FlatResult? in
                        request.pointee.method.utf8.withContiguousStorageIfAvailable { method -> FlatResult? in
                            FlatRequestLookup(table: self, arena: arena.buffer, fields: RouteRequestFields(request: request, headers: headers),
                                              target: target, method: method)
                                .run(host: host, gateway: gateway, isHTTPS: isHTTPS)
                        } ?? nil
                    } ?? nil
                } ?? nil
            }
        }
        return result ?? .fallback
    }

    /// The same answer for a request read in place (BorrowedRequest).
    func lookup(_ request: UnsafePointer<BorrowedRequest>) -> FlatResult {
        guard let gateway = portGateway(port: request.pointee.port, gateway: request.pointee.gateway) else { return .fallback }
        return withLookup(request) { $0.run(host: request.pointee.host, gateway: gateway, isHTTPS: request.pointee.isHTTPS) } ?? .fallback
    }

    /// A lookup over one borrowed request; a match object that needs the
    /// request as plain values builds it once, inside `body`.
    @inline(__always)
    func withLookup<R>(_ request: UnsafePointer<BorrowedRequest>, _ body: (FlatRequestLookup<BorrowedFields>) -> R) -> R {
        var plain: UnsafeMutablePointer<RouteRequest>?
        defer {
            if let plain {
                plain.deinitialize(count: 1)
                plain.deallocate()
            }
        }
        return withUnsafeMutablePointer(to: &plain) { plain in
            body(FlatRequestLookup(table: self, arena: arena.buffer, fields: BorrowedFields(request: request, plain: plain),
                                   target: request.pointee.target, method: request.pointee.method))
        }
    }

    /// The Gateway that received a request on `port`: the named one, or the only one there.
    func portGateway(port: Int, gateway wanted: UnsafePointer<ObjectKey>?) -> PortGateway? {
        guard usable, let range = gateways(onPort: port) else { return nil }
        var gatewayEntry = -1
        if let wanted {
            for index in Int(range.start)..<Int(range.start + range.count) where gatewayKeys[Int(portGateways[index].gateway)] == wanted.pointee {
                gatewayEntry = index
            }
        } else if range.count == 1 {
            gatewayEntry = Int(range.start)
        }
        return gatewayEntry >= 0 ? portGateways[gatewayEntry] : nil
    }
}

/// One lookup over borrowed bytes of the request. Holds no strong references
/// (the caller keeps the table and the request alive for the whole lookup).
struct FlatRequestLookup<Fields: FlatRequestFields> {
    unowned(unsafe) let table: FlatTable
    let arena: UnsafeBufferPointer<UInt8>
    let fields: Fields
    let target: UnsafeBufferPointer<UInt8>
    let method: UnsafeBufferPointer<UInt8>

    func run(host rawHost: UnsafeBufferPointer<UInt8>, gateway: FlatTable.PortGateway, isHTTPS: Bool) -> FlatResult? {
        let located = locate(host: rawHost, gateway: gateway, isHTTPS: isHTTPS)
        guard case .virtualHost(let listener, let vhost, let path) = located else { return located.decided }
        return matchPath(listener: listener, virtualHost: vhost, path: path,
                         exactList: { lookup(.exact, owner: vhost, hash: ByteHash.of(path)) },
                         prefixHit: { firstPrefixMatch(owner: vhost, depths: $0, path: path) })
    }

    /// Where a request's path is looked up, or what was decided before that.
    enum Located {
        /// nil: the object path decides.
        case decided(FlatResult?)
        /// The listener, the virtual host (indexes in the flat table) and the path without its query.
        case virtualHost(listener: Int32, virtualHost: Int32, path: UnsafeBufferPointer<UInt8>)

        var decided: FlatResult? {
            if case .decided(let result) = self { return result }
            return nil
        }
    }

    /// The listener and virtual host that take the request (gateway_types.go,
    /// Listener hostname; httproute_types.go, Hostnames), or the answer when none does.
    @inline(__always)
    func locate(host rawHost: UnsafeBufferPointer<UInt8>, gateway: FlatTable.PortGateway, isHTTPS: Bool) -> Located {
        guard let hostLength = Self.normalizedLength(rawHost) else { return .decided(nil) }
        let host = UnsafeBufferPointer(rebasing: rawHost[0..<hostLength])
        if isHTTPS, fields.sniDiffers(from: host) { return .decided(nil) }
        guard let listenerIndex = listener(in: gateway, host: host, isHTTPS: isHTTPS) else { return .decided(nil) }
        let listener = table.listeners[Int(listenerIndex)]
        // The caller's hash of the Host as sent is this one's when there was no port to drop.
        let hash = hostLength == rawHost.count ? fields.hostHash ?? ByteHash.host(host) : ByteHash.host(host)
        guard let vhostIndex = virtualHost(listener: listenerIndex, host: host, hash: hash, wildcards: listener.hasWildcardHosts) else {
            return .decided(.miss(listener: listenerIndex, virtualHost: -1))
        }
        if table.virtualHosts[Int(vhostIndex)].hasGRPC { return .decided(nil) }
        let pathLength = WordBytes.firstIndex(of: UInt8(ascii: "?"), in: target) ?? target.count
        return .virtualHost(listener: listenerIndex, virtualHost: vhostIndex, path: UnsafeBufferPointer(rebasing: target[0..<pathLength]))
    }

    /// Exact, then RegularExpression, then PathPrefix matches of the virtual
    /// host, each list in precedence order (Precedence.swift). `exactList` gives
    /// the Exact list of this path; `prefixHit` the first PathPrefix match,
    /// given the virtual host's prefix depths. Callers differ only in when
    /// they probe the hash index.
    @inline(__always)
    func matchPath(listener: Int32, virtualHost index: Int32, path: UnsafeBufferPointer<UInt8>,
                   exactList: () -> (Int32, Int32), prefixHit: (UInt64) -> Int32?) -> FlatResult {
        let vhost = table.virtualHosts[Int(index)]
        if vhost.exactLengths & (1 << UInt64(path.count & 63)) != 0, let hit = firstMatch(in: exactList(), path: path) {
            return .hit(listener: listener, match: hit)
        }
        if let hit = firstMatch(in: (vhost.regexStart, vhost.regexCount), path: path) {
            return .hit(listener: listener, match: hit)
        }
        if vhost.prefixDepths != 0, let hit = prefixHit(vhost.prefixDepths) {
            return .hit(listener: listener, match: hit)
        }
        return .miss(listener: listener, virtualHost: index)
    }

    /// The Host without its port; nil for forms the object path normalizes
    /// (brackets, a trailing dot, several colons).
    static func normalizedLength(_ host: UnsafeBufferPointer<UInt8>) -> Int? {
        var colon = -1
        var index = WordBytes.firstIndex(of: UInt8(ascii: ":"), or: UInt8(ascii: "["), in: host) ?? host.count
        while index < host.count {
            let byte = host[index]
            if byte == UInt8(ascii: ":") {
                if colon >= 0 { return nil }
                colon = index
            } else if byte == UInt8(ascii: "[") {
                return nil
            }
            index += 1
        }
        let length = colon >= 0 ? colon : host.count
        if length > 0, host[length - 1] == UInt8(ascii: ".") { return nil }
        return length
    }

    /// The most specific listener hostname that accepts `host` (same ranks as RoutingTable.listener);
    /// nil, for the object path, when a TLS listener shares the port with HTTPS.
    func listener(in gateway: FlatTable.PortGateway, host: UnsafeBufferPointer<UInt8>, isHTTPS: Bool) -> Int32? {
        var best: Int32 = -1
        var bestRank = -1
        for index in Int(gateway.listenerStart)..<Int(gateway.listenerStart + gateway.listenerCount) {
            let listener = table.listeners[index]
            if isHTTPS, listener.isTLS { return nil }
            guard isHTTPS ? listener.isHTTPS : listener.isHTTP else { continue }
            let rank: Int
            if listener.hostname.isNone {
                rank = 0
            } else {
                let pattern = slice(listener.hostname)
                if pattern.count >= 2, pattern[0] == UInt8(ascii: "*"), pattern[1] == UInt8(ascii: ".") {
                    let suffix = UnsafeBufferPointer(rebasing: pattern[1...])
                    guard host.count > suffix.count, WordBytes.equalLowered(UnsafeBufferPointer(rebasing: host[(host.count - suffix.count)...]), suffix) else { continue }
                    rank = 1_000 + pattern.count
                } else {
                    guard WordBytes.equalLowered(host, pattern) else { continue }
                    rank = 1_000_000
                }
            }
            if rank > bestRank {
                best = Int32(index)
                bestRank = rank
            }
        }
        return best >= 0 ? best : nil
    }

    /// Exact hostname, then `*.suffix` from the longest suffix, then `*`; no fall-through past the first found.
    /// `hash` is `ByteHash.host(host)`.
    func virtualHost(listener: Int32, host: UnsafeBufferPointer<UInt8>, hash: UInt64, wildcards: Bool) -> Int32? {
        if let found = virtualHost(.virtualHost, listener: listener, hash: hash, matches: { WordBytes.equalLowered(host, $0) }) {
            return found
        }
        if wildcards {
            var dot = 0
            while dot < host.count {
                if host[dot] == UInt8(ascii: "."), dot + 1 < host.count {
                    let suffix = UnsafeBufferPointer(rebasing: host[(dot + 1)...])
                    let found = virtualHost(.wildcardHost, listener: listener, hash: ByteHash.host(suffix)) { name in
                        name.count == suffix.count + 2 && name[0] == UInt8(ascii: "*")
                            && WordBytes.equalLowered(suffix, UnsafeBufferPointer(rebasing: name[2...]))
                    }
                    if let found { return found }
                }
                dot += 1
            }
        }
        return virtualHost(.virtualHost, listener: listener, hash: FlatTable.catchAllHash) { $0.count == 1 && $0[0] == UInt8(ascii: "*") }
    }

    func virtualHost(_ tag: FlatTable.Tag, listener: Int32, hash: UInt64, matches: (UnsafeBufferPointer<UInt8>) -> Bool) -> Int32? {
        let (start, count) = lookup(tag, owner: listener, hash: hash)
        guard count > 0, matches(slice(table.virtualHosts[Int(start)].hostname)) else { return nil }
        return start
    }

    /// The match list stored under (tag, owner, hash), as (start, count); count 0 when absent.
    @inline(__always)
    func lookup(_ tag: FlatTable.Tag, owner: Int32, hash: UInt64) -> (Int32, Int32) {
        let index = tag == .virtualHost || tag == .wildcardHost ? table.hostSlots : table.pathSlots
        return index.list(key: FlatTable.key(tag, owner: owner, hash: hash), tag: tag, owner: owner)
    }

    /// PathPrefix candidates from the longest segment boundary down to `/`
    /// (httproute_types.go, PathMatchPathPrefix), skipping depths no prefix has.
    func firstPrefixMatch(owner: Int32, depths: UInt64, path: UnsafeBufferPointer<UInt8>) -> Int32? {
        PrefixHashes.firstHit(path, depths: depths) { hash in
            firstMatch(in: lookup(.prefix, owner: owner, hash: hash), path: path)
        }
    }

    /// The first match of a precedence-ordered list that accepts the request.
    @inline(__always)
    func firstMatch(in list: (Int32, Int32), path: UnsafeBufferPointer<UInt8>) -> Int32? {
        let (start, count) = list
        var index = Int(start)
        let end = Int(start + count)
        while index < end {
            if accepts(table.matches[index], path: path) { return Int32(index) }
            index += 1
        }
        return nil
    }

    func accepts(_ match: FlatTable.Match, path: UnsafeBufferPointer<UInt8>) -> Bool {
        switch match.kind {
        case .exact:
            guard WordBytes.equal(path, slice(match.path)) else { return false }
        case .prefix:
            let prefix = slice(match.path)
            if prefix.count > 1 {
                guard path.count >= prefix.count, WordBytes.equal(UnsafeBufferPointer(rebasing: path[0..<prefix.count]), prefix),
                      path.count == prefix.count || path[prefix.count] == UInt8(ascii: "/") else { return false }
            }
        case .regex:
            break // the match object checks it
        }
        if !match.method.isNone, !WordBytes.equal(method, slice(match.method)) { return false }
        var header = Int(match.headerStart)
        while header < Int(match.headerStart) + Int(match.headerCount) {
            let expected = table.headers[header]
            if !fields.header(slice(expected.name), equals: slice(expected.value)) { return false }
            header += 1
        }
        if match.needsObject { return fields.objectAccepts(table.matchObjects[Int(match.object)]) }
        return true
    }

    @inline(__always)
    func slice(_ slice: ArenaSlice) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: arena[Int(slice.offset)..<Int(slice.offset + slice.length)])
    }
}

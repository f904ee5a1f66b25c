import GatewayAPI

/// Lays the compiled listeners out as a `FlatTable`, after TableBuilder has
/// sorted every virtual host. Deterministic: hostnames and hash keys are
/// visited in sorted order.
struct FlatTableBuilder {
    private var arena: [UInt8] = []
    private var arenaIndex: [String: ArenaSlice] = [:]
    private var listeners: [FlatTable.Listener] = []
    private var listenerObjects: [CompiledListener] = []
    private var virtualHosts: [FlatTable.VirtualHost] = []
    private var matches: [FlatTable.Match] = []
    private var matchObjects: [CompiledMatch] = []
    private var matchIndex: [ObjectIdentifier: Int32] = [:]
    private var headers: [FlatTable.Header] = []
    /// By rule slot: copied into each match of the rule.
    private var rules: [FlatTable.Rule] = []
    private var hostEntries: [FlatTable.Slot] = []
    private var pathEntries: [FlatTable.Slot] = []
    private var usable = true

    static func build(byPort: [Int: [RoutingTable.PortGateway]], rules: [CompiledRule]) -> FlatTable {
        var builder = FlatTableBuilder()
        return builder.run(byPort, rules: rules)
    }

    private mutating func run(_ byPort: [Int: [RoutingTable.PortGateway]], rules compiledRules: [CompiledRule]) -> FlatTable {
        var backends: [FlatTable.Backend] = []
        for rule in compiledRules {
            var redirectStatus: Int16 = 0
            var hasCORS = false
            var readsRequest = false
            for filter in rule.filters {
                if case .requestRedirect(let redirect) = filter { redirectStatus = Int16(clamping: redirect.statusCode) }
                if case .cors = filter { hasCORS = true }
            }
            for filter in rule.filters + rule.backends.flatMap(\.filters) {
                switch filter {
                case .requestRedirect, .urlRewrite, .cors: readsRequest = true
                default: break
                }
            }
            let start = backends.count
            backends += zip(rule.backends, rule.seeds).map { FlatTable.Backend(weight: $0.weight, seed: $1, valid: $0.valid) }
            if rule.backends.count > Int(UInt16.max) { usable = false }
            rules.append(FlatTable.Rule(backendStart: Int32(start), inlineBackends: FlatTable.InlineBackends(backends[start...]),
                                        failureStatus: Int16(clamping: rule.failure?.status ?? 0), redirectStatus: redirectStatus,
                                        backendCount: UInt16(clamping: rule.backends.count), hasCORS: hasCORS, readsRequest: readsRequest))
        }
        // Every hostname first, together at the start of the arena: each lookup compares
        // one, so they stay cached together instead of one line per virtual host among
        // the paths (a read from memory fewer per request on a large table).
        for port in byPort.keys.sorted() {
            for entry in byPort[port]! {
                for listener in entry.listeners {
                    if let hostname = listener.hostname { _ = store(hostname.lowercased()) }
                    for hostname in listener.vhosts.keys.sorted() { _ = store(hostname) }
                }
            }
        }
        var gatewayKeys: [ObjectKey] = []
        var gatewayOrdinal: [ObjectKey: Int32] = [:]
        var portGateways: [FlatTable.PortGateway] = []
        var ports: [FlatTable.Port] = []
        for port in byPort.keys.sorted() {
            let start = Int32(portGateways.count)
            for entry in byPort[port]! {
                let ordinal = gatewayOrdinal[entry.gateway] ?? {
                    gatewayKeys.append(entry.gateway)
                    gatewayOrdinal[entry.gateway] = Int32(gatewayKeys.count - 1)
                    return Int32(gatewayKeys.count - 1)
                }()
                let listenerStart = Int32(listeners.count)
                for listener in entry.listeners { add(listener) }
                portGateways.append(FlatTable.PortGateway(gateway: ordinal, listenerStart: listenerStart,
                                                          listenerCount: Int32(entry.listeners.count)))
            }
            ports.append(FlatTable.Port(port: port, start: start, count: Int32(portGateways.count) - start))
        }
        let hostSlots = hashIndex(hostEntries)
        let pathSlots = hashIndex(pathEntries)
        return FlatTable(arena: arena, listeners: listeners, listenerObjects: listenerObjects, virtualHosts: virtualHosts,
                         matches: matches, matchObjects: matchObjects, headers: headers,
                         backends: backends, hostSlots: hostSlots, pathSlots: pathSlots,
                         gatewayKeys: gatewayKeys, portGateways: portGateways, ports: ports, usable: usable)
    }

    private mutating func add(_ listener: CompiledListener) {
        let index = Int32(listeners.count)
        listenerObjects.append(listener)
        listeners.append(FlatTable.Listener(object: index, isHTTPS: listener.proto == .https, isHTTP: listener.proto == .http, isTLS: listener.proto == .tls,
                                            hostname: listener.hostname.map { store($0.lowercased()) } ?? .none,
                                            hasWildcardHosts: listener.hasWildcardHosts))
        var seenHosts: Set<UInt64> = []
        for hostname in listener.vhosts.keys.sorted() {
            let vhost = listener.vhosts[hostname]!
            let isWildcard = hostname.hasPrefix("*.")
            let tag: FlatTable.Tag = isWildcard ? .wildcardHost : .virtualHost
            let key = FlatTable.key(tag, owner: index, hash: ByteHash.host(isWildcard ? String(hostname.dropFirst(2)) : hostname))
            if !seenHosts.insert(key).inserted { usable = false }
            let vhostIndex = Int32(virtualHosts.count)
            hostEntries.append(FlatTable.Slot(key: key, owner: index, tag: tag, start: vhostIndex, count: 1))
            let regexStart = Int32(matches.count)
            for match in vhost.regex { matches.append(flat(match)) }
            var prefixDepths: UInt64 = 0
            for list in vhost.prefix.values {
                for match in list {
                    if case .prefix(let value, _) = match.path { prefixDepths |= 1 << min(63, Self.segments(value)) }
                }
            }
            var exactLengths: UInt64 = 0
            for list in vhost.exact.values {
                for match in list {
                    if case .exact(let value) = match.path { exactLengths |= 1 << UInt64(value.utf8.count & 63) }
                }
            }
            virtualHosts.append(FlatTable.VirtualHost(hostname: store(hostname), regexStart: regexStart,
                                                      regexCount: Int32(matches.count) - regexStart, hasGRPC: !vhost.grpc.isEmpty,
                                                      prefixDepths: prefixDepths, exactLengths: exactLengths))
            addLists(vhost.exact, tag: .exact, owner: vhostIndex)
            addLists(vhost.prefix, tag: .prefix, owner: vhostIndex)
        }
    }

    /// Segments of a normalized prefix: `/` 0, `/a` 1, `/a/b` 2.
    static func segments(_ prefix: String) -> Int {
        prefix == "/" ? 0 : prefix.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
    }

    private mutating func addLists(_ lists: [UInt64: [CompiledMatch]], tag: FlatTable.Tag, owner: Int32) {
        for hash in lists.keys.sorted() {
            let start = Int32(matches.count)
            for match in lists[hash]! { matches.append(flat(match)) }
            pathEntries.append(FlatTable.Slot(key: FlatTable.key(tag, owner: owner, hash: hash), owner: owner, tag: tag,
                                              start: start, count: Int32(matches.count) - start))
        }
    }

    private mutating func flat(_ match: CompiledMatch) -> FlatTable.Match {
        let object = matchIndex[ObjectIdentifier(match)] ?? {
            matchObjects.append(match)
            matchIndex[ObjectIdentifier(match)] = Int32(matchObjects.count - 1)
            return Int32(matchObjects.count - 1)
        }()
        var needsObject = !match.queryParams.isEmpty || match.grpcService != nil || match.grpcMethod != nil
        let kind: FlatTable.PathKind
        let path: ArenaSlice
        switch match.path {
        case .exact(let value): kind = .exact; path = store(value)
        case .prefix(let value, _): kind = .prefix; path = store(value)
        case .regex: kind = .regex; path = .none; needsObject = true
        }
        let headerStart = Int32(headers.count)
        for header in match.headers {
            guard case .exact(let value) = header.matcher, value.utf8.allSatisfy({ $0 < 0x80 }) else {
                needsObject = true
                continue
            }
            headers.append(FlatTable.Header(name: store(header.name.lowercased()), value: store(value)))
        }
        let headerCount = Int(Int32(headers.count) - headerStart)
        if headerCount > Int(UInt16.max) { usable = false }
        return FlatTable.Match(path: path, method: match.method.map { store($0) } ?? .none, action: rules[match.ruleSlot],
                               object: object, rule: Int32(match.ruleSlot), headerStart: headerStart,
                               headerCount: UInt16(clamping: headerCount), kind: kind, needsObject: needsObject)
    }

    private mutating func store(_ text: String) -> ArenaSlice {
        if let known = arenaIndex[text] { return known }
        let slice = ArenaSlice(offset: Int32(arena.count), length: Int32(text.utf8.count))
        arena.append(contentsOf: text.utf8)
        arenaIndex[text] = slice
        return slice
    }

    /// Open addressing with linear probing, at most half full. Two entries with
    /// the same full key would shadow each other: the index is then not used.
    private mutating func hashIndex(_ entries: [FlatTable.Slot]) -> [FlatTable.Slot] {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [FlatTable.Slot](repeating: FlatTable.Slot(), count: capacity)
        let mask = capacity - 1
        for entry in entries {
            var position = Int(truncatingIfNeeded: entry.key) & mask
            while slots[position].count != 0 {
                if slots[position].key == entry.key { usable = false }
                position = (position + 1) & mask
            }
            slots[position] = entry
        }
        return slots
    }
}

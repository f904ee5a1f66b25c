import GatewayAPI

/// The routing table's hot-path index: the same listeners, virtual hosts and
/// matches as the object graph, laid out as flat arrays of plain values (no
/// reference counting while a request is routed) plus one byte arena for every
/// hostname, path, method and header the lookups compare. Open-addressing hash
/// indexes find a virtual host, an Exact path list or a PathPrefix list in one
/// probe, so the number of steps of a lookup does not grow with the number of
/// routes. Hostnames have an index of their own: it stays small enough to stay
/// in the cache while the path index, one entry per distinct path, does not.
///
/// It is an index, not a second source of truth: every list keeps the
/// precedence order of `VirtualHost` (Precedence.swift), and anything the flat
/// form does not express (regular expressions, query parameters, header regexes,
/// gRPC) is evaluated by the match object it points to.
final class FlatTable: Sendable {
    struct Listener: Sendable {
        var object: Int32
        var isHTTPS: Bool
        var isHTTP: Bool
        /// A TLS listener: HTTPS requests on its port are left to the object path,
        /// which decides whether it takes their ClientHello (RoutingTable.tlsFamilyListener).
        var isTLS: Bool
        /// The listener hostname in the arena (lower-case); length -1 when unset.
        var hostname: ArenaSlice
        var hasWildcardHosts: Bool
    }

    struct VirtualHost: Sendable {
        var hostname: ArenaSlice
        /// Regular-expression matches, in precedence order, in `matches`.
        var regexStart: Int32
        var regexCount: Int32
        /// GRPCRoutes share the hostname: the object path decides (content type first).
        var hasGRPC: Bool
        /// Bit n set when some PathPrefix has n segments (bit 63: 63 or more):
        /// the prefix walk skips boundaries no prefix can match.
        var prefixDepths: UInt64
        /// Bit n set when some Exact path is n bytes long (modulo 64): a path
        /// of another length skips the Exact probe, a read from memory.
        var exactLengths: UInt64
    }

    /// One record per cache line (a stride of 64 bytes, asserted when a table is built):
    /// a lookup that misses the cache on a match waits for one line, not two.
    struct Match: Sendable {
        var path: ArenaSlice
        /// Length -1 when the match has no method.
        var method: ArenaSlice
        /// What that rule does, copied here so that a verdict reads no record
        /// past the match (one read from memory fewer on a large table).
        var action: Rule
        /// Index in `matchObjects`.
        var object: Int32
        /// Index in the table's rules.
        var rule: Int32
        var headerStart: Int32
        /// At most 16 header matches per match (the CRD); the builder gives up
        /// the index (`usable`) past UInt16.max.
        var headerCount: UInt16
        var kind: PathKind
        /// Something only the match object can evaluate (regex path, query params, header regex).
        var needsObject: Bool
    }

    enum PathKind: UInt8, Sendable { case exact, regex, prefix }

    /// What a rule does, as far as the outcome goes (RuleAction.apply decides the same way).
    struct Rule: Sendable {
        /// Start of the range in `backends`.
        var backendStart: Int32
        /// The backends of a rule that has one or two, copied here so that
        /// picking one reads no record past the match.
        var inlineBackends: InlineBackends?
        /// Non-zero when the rule can only fail (CompiledRule.failure).
        var failureStatus: Int16
        /// Non-zero when a RequestRedirect filter answers.
        var redirectStatus: Int16
        /// Length of the range in `backends`: at most 16 backendRefs per rule
        /// (the CRD); the builder gives up the index (`usable`) past UInt16.max.
        var backendCount: UInt16
        /// A rule-level CORS filter: only the full decision knows whether this is a preflight.
        var hasCORS: Bool
        /// A filter of the rule or of one of its backends reads the request:
        /// URLRewrite (forwarded host and path), RequestRedirect (location) or
        /// CORS (the answer to a preflight).
        var readsRequest: Bool
    }

    /// An exact header match: the name lower-case, the value as written.
    struct Header: Sendable {
        var name: ArenaSlice
        var value: ArenaSlice
    }

    /// One entry of a hash index. `count == 0` marks an empty slot.
    struct Slot: Sendable {
        var key: UInt64 = 0
        var owner: Int32 = 0
        var tag: Tag = .virtualHost
        var start: Int32 = 0
        var count: Int32 = 0
    }

    /// virtualHost: an exact hostname (or `*`); wildcardHost: `*.suffix`, keyed
    /// by the suffix, so a lookup hashes each suffix of the Host once.
    enum Tag: UInt8, Sendable { case virtualHost, wildcardHost, exact, prefix }

    /// The Gateways listening on one port, each with its listener range.
    struct PortGateway: Sendable {
        var gateway: Int32
        var listenerStart: Int32
        var listenerCount: Int32
    }

    /// One or two backends' weights, race seeds and validity, in rule order
    /// (`Rule.backendCount` says which; with one, `second` repeats `first`).
    struct InlineBackends: Sendable {
        var first: Int32
        var second: Int32
        var firstSeed: UInt32
        var secondSeed: UInt32
        var firstValid: Bool
        var secondValid: Bool

        init?(_ backends: ArraySlice<Backend>) {
            guard (1...2).contains(backends.count),
                  let first = Int32(exactly: backends.first!.weight), let second = Int32(exactly: backends.last!.weight) else { return nil }
            self.first = first
            self.second = second
            firstSeed = backends.first!.seed
            secondSeed = backends.last!.seed
            firstValid = backends.first!.valid
            secondValid = backends.last!.valid
        }
    }

    /// A rule's backend: weight, race seed (WeightedChoice), and whether the ref resolved.
    struct Backend: Sendable {
        var weight: Int
        var seed: UInt32
        var valid: Bool
    }

    /// The Gateways on one listener port: a range in `portGateways`.
    struct Port: Sendable {
        var port: Int
        var start: Int32
        var count: Int32
    }

    let arena: FrozenArray<UInt8>
    let listeners: FrozenArray<Listener>
    let listenerObjects: [CompiledListener]
    let virtualHosts: FrozenArray<VirtualHost>
    let matches: FrozenArray<Match>
    let matchObjects: [CompiledMatch]
    let headers: FrozenArray<Header>
    /// Every rule's backends, in rule order (`Rule.backendStart`).
    let backends: FrozenArray<Backend>
    /// Virtual hosts (tags virtualHost and wildcardHost).
    let hostSlots: SlotIndex
    /// Exact and PathPrefix lists.
    let pathSlots: SlotIndex
    let gatewayKeys: [ObjectKey]
    let portGateways: FrozenArray<PortGateway>
    /// In port order (the builder's); a scan, since Gateways have a handful of ports.
    let ports: FrozenArray<Port>
    /// False when the index could not be built faithfully (a hostname hash
    /// collision): every request then takes the object path.
    let usable: Bool
    /// The path side of the index (slots, matches, bytes) is larger than a
    /// core's cache is likely to keep (`cachedBytes`): lookups then gain from
    /// being staged together (FlatBatchLookup.swift), which on a table that
    /// fits only adds work.
    let outgrowsCache: Bool

    /// About one core's private cache (L2) on the machines gwsim runs on.
    static let cachedBytes = 1 << 20

    init(arena: [UInt8], listeners: [Listener], listenerObjects: [CompiledListener], virtualHosts: [VirtualHost],
         matches: [Match], matchObjects: [CompiledMatch], headers: [Header], backends: [Backend], hostSlots: [Slot], pathSlots: [Slot],
         gatewayKeys: [ObjectKey],
         portGateways: [PortGateway], ports: [Port], usable: Bool) {
        assert(MemoryLayout<Match>.stride == 64, "FlatTable.Match must fill one cache line exactly")
        self.arena = FrozenArray(arena)
        self.listeners = FrozenArray(listeners)
        self.listenerObjects = listenerObjects
        self.virtualHosts = FrozenArray(virtualHosts)
        self.matches = FrozenArray(matches)
        self.matchObjects = matchObjects
        self.headers = FrozenArray(headers)
        self.backends = FrozenArray(backends)
        self.hostSlots = SlotIndex(hostSlots)
        self.pathSlots = SlotIndex(pathSlots)
        self.gatewayKeys = gatewayKeys
        self.portGateways = FrozenArray(portGateways)
        self.ports = FrozenArray(ports)
        self.usable = usable
        outgrowsCache = pathSlots.count * MemoryLayout<Slot>.stride + matches.count * MemoryLayout<Match>.stride + arena.count > Self.cachedBytes
    }

    deinit {
        arena.free()
        listeners.free()
        virtualHosts.free()
        matches.free()
        headers.free()
        backends.free()
        hostSlots.slots.free()
        pathSlots.slots.free()
        portGateways.free()
        ports.free()
    }

    /// The range in `portGateways` of the Gateways listening on `port`.
    @inline(__always)
    func gateways(onPort port: Int) -> Port? {
        for index in 0..<ports.count where ports[index].port == port { return ports[index] }
        return nil
    }

    /// The key of the `*` virtual host (routes without hostnames).
    static let catchAllHash = ByteHash.host("*")

    /// Mixes the owner, the tag and a byte hash into the index key (SplitMix64 finalizer).
    @inline(__always)
    static func key(_ tag: Tag, owner: Int32, hash: UInt64) -> UInt64 {
        ByteHash.spread(hash ^ (UInt64(UInt32(bitPattern: owner)) << 8 | UInt64(tag.rawValue)) &* 0x9e37_79b9_7f4a_7c15)
    }
}

/// An open-addressing table of slots, a power of two in size.
struct SlotIndex: Sendable {
    let slots: FrozenArray<FlatTable.Slot>
    let mask: Int

    init(_ slots: [FlatTable.Slot]) {
        self.slots = FrozenArray(slots)
        mask = slots.count - 1
    }

    /// The slot where the probe for `key` starts.
    @inline(__always)
    func home(of key: UInt64) -> Int { Int(truncatingIfNeeded: key) & mask }

    /// The match list stored under (key, tag, owner), as (start, count); count 0 when absent.
    @inline(__always)
    func list(key: UInt64, tag: FlatTable.Tag, owner: Int32) -> (Int32, Int32) {
        let slots = slots.buffer
        var position = home(of: key)
        while true {
            let slot = slots[position]
            if slot.count == 0 { return (0, 0) }
            if slot.key == key, slot.owner == owner, slot.tag == tag { return (slot.start, slot.count) }
            position = (position + 1) & mask
        }
    }
}

/// A run of bytes in the arena.
struct ArenaSlice: Sendable {
    var offset: Int32
    var length: Int32
    static let none = ArenaSlice(offset: 0, length: -1)
    var isNone: Bool { length < 0 }
}

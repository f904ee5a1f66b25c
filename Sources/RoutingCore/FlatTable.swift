import GatewayAPI

/// The routing table's hot-path index: the same listeners, virtual hosts and
/// matches as the object graph, laid out as flat arrays of plain values (no
/// reference counting while a request is routed) plus one byte arena for every
/// hostname, path, method and header the lookups compare. One open-addressing
/// hash index finds a virtual host, an Exact path list or a PathPrefix list in
/// one probe, so the cost of a lookup does not grow with the number of routes.
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
    }

    struct Match: Sendable {
        /// Index in `matchObjects`.
        var object: Int32
        /// Index in the table's rules (and in `rules`).
        var rule: Int32
        var kind: PathKind
        var path: ArenaSlice
        /// Length -1 when the match has no method.
        var method: ArenaSlice
        var headerStart: Int32
        var headerCount: Int32
        /// Something only the match object can evaluate (regex path, query params, header regex).
        var needsObject: Bool
    }

    enum PathKind: UInt8, Sendable { case exact, regex, prefix }

    /// What a rule does, as far as the outcome goes (RuleAction.apply decides the same way).
    struct Rule: Sendable {
        /// Range in `backends`.
        var backendStart: Int32
        var backendCount: Int32
        /// Non-zero when the rule can only fail (CompiledRule.failure).
        var failureStatus: Int16
        /// Non-zero when a RequestRedirect filter answers.
        var redirectStatus: Int16
        /// A rule-level CORS filter: only the full decision knows whether this is a preflight.
        var hasCORS: Bool
    }

    /// An exact header match: the name lower-case, the value as written.
    struct Header: Sendable {
        var name: ArenaSlice
        var value: ArenaSlice
    }

    /// One entry of the hash index. `count == 0` marks an empty slot.
    struct Slot: Sendable {
        var key: UInt64 = 0
        var owner: Int32 = 0
        var tag: Tag = .virtualHost
        var start: Int32 = 0
        var count: Int32 = 0
    }

    enum Tag: UInt8, Sendable { case virtualHost, exact, prefix }

    /// The Gateways listening on one port, each with its listener range.
    struct PortGateway: Sendable {
        var gateway: Int32
        var listenerStart: Int32
        var listenerCount: Int32
    }

    let arena: [UInt8]
    let listeners: [Listener]
    let listenerObjects: [CompiledListener]
    let virtualHosts: [VirtualHost]
    let matches: [Match]
    let matchObjects: [CompiledMatch]
    let headers: [Header]
    let rules: [Rule]
    /// Per rule backend: weight, and whether the ref resolved.
    let backends: [(weight: Int, valid: Bool)]
    let slots: [Slot]
    let slotMask: Int
    let gatewayKeys: [ObjectKey]
    let portGateways: [PortGateway]
    /// Port -> range in `portGateways`.
    let ports: [Int: (start: Int32, count: Int32)]
    /// False when the index could not be built faithfully (a hostname hash
    /// collision): every request then takes the object path.
    let usable: Bool

    init(arena: [UInt8], listeners: [Listener], listenerObjects: [CompiledListener], virtualHosts: [VirtualHost],
         matches: [Match], matchObjects: [CompiledMatch], headers: [Header], rules: [Rule], backends: [(weight: Int, valid: Bool)], slots: [Slot], gatewayKeys: [ObjectKey],
         portGateways: [PortGateway], ports: [Int: (start: Int32, count: Int32)], usable: Bool) {
        self.arena = arena
        self.listeners = listeners
        self.listenerObjects = listenerObjects
        self.virtualHosts = virtualHosts
        self.matches = matches
        self.matchObjects = matchObjects
        self.headers = headers
        self.rules = rules
        self.backends = backends
        self.slots = slots
        self.slotMask = slots.count - 1
        self.gatewayKeys = gatewayKeys
        self.portGateways = portGateways
        self.ports = ports
        self.usable = usable
    }

    /// Mixes the owner, the tag and a byte hash into the index key (SplitMix64 finalizer).
    @inline(__always)
    static func key(_ tag: Tag, owner: Int32, hash: UInt64) -> UInt64 {
        var x = hash ^ (UInt64(UInt32(bitPattern: owner)) << 8 | UInt64(tag.rawValue)) &* 0x9e37_79b9_7f4a_7c15
        x ^= x >> 30
        x &*= 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27
        x &*= 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }
}

/// A run of bytes in the arena.
struct ArenaSlice: Sendable {
    var offset: Int32
    var length: Int32
    static let none = ArenaSlice(offset: 0, length: -1)
    var isNone: Bool { length < 0 }
}

import GatewayAPI

/// A backend candidate of a compiled rule.
struct CompiledBackend: Sendable {
    let ref: BackendRef
    let weight: Int
    let valid: Bool
    let invalidReason: String?
    let filters: [HTTPRouteFilter]
    /// Mirrors among `filters`, resolved.
    let mirrors: [CompiledMirror]
    /// The BackendTLSPolicy that applies to this backend, if any.
    let tls: BackendTLSChoice?
}

/// A mirror target of a compiled rule.
struct CompiledMirror: Sendable {
    let ref: BackendRef
    let share: Double
    let valid: Bool
}

/// One route rule, ready to act on: its filters, weighted backends and
/// timeouts. Shared by every match of the rule (a class: decisions reference it).
final class CompiledRule: Sendable {
    let ref: RuleRef
    let filters: [HTTPRouteFilter]
    let backends: [CompiledBackend]
    let mirrors: [CompiledMirror]
    let timeouts: Timeouts
    let retry: HTTPRouteRetry?
    /// Set when the rule can only fail (e.g. an ExtensionRef filter gwsim cannot run): status and reason.
    let failure: (status: Int, reason: String)?

    /// The candidates with their shares, computed once: every decision shares this array.
    let weightedBackends: [WeightedBackend]
    let weights: [Int]
    /// Each backend's seed in the weighted choice (WeightedChoice.seeds).
    let seeds: [UInt32]

    init(ref: RuleRef, filters: [HTTPRouteFilter], backends: [CompiledBackend], mirrors: [CompiledMirror],
         timeouts: Timeouts, retry: HTTPRouteRetry? = nil, failure: (status: Int, reason: String)?) {
        self.ref = ref
        self.filters = filters
        self.backends = backends
        self.mirrors = mirrors
        self.timeouts = timeouts
        self.retry = retry
        self.failure = failure
        self.weights = backends.map(\.weight)
        self.seeds = WeightedChoice.seeds(for: backends.map(\.ref))
        let total = weights.reduce(0, +)
        self.weightedBackends = backends.map {
            WeightedBackend(backend: $0.ref, weight: $0.weight, share: total > 0 ? Double($0.weight) / Double(total) : 0,
                            valid: $0.valid, invalidReason: $0.invalidReason)
        }
    }

    /// The offset in `backends` of the backend a key picks, or nil when every
    /// weight is 0 (WeightedChoice: the same pick as a verdict's).
    func pick(key: String) -> Int? {
        weights.withUnsafeBufferPointer { weights in
            seeds.withUnsafeBufferPointer { seeds in
                WeightedChoice.pick(count: weights.count, weight: { weights[$0] }, seed: { seeds[$0] },
                                    keyHash: { WeightedChoice.keyHash(key) })
            }
        }
    }
}

/// The matches of one hostname on one listener, indexed so that a lookup costs
/// about the same whatever the number of routes: exact paths by value, prefixes
/// by their normalized value (walked from the longest candidate), and the few
/// regular expressions in precedence order. Mutated only while TableBuilder
/// builds it, before the table is published; read-only afterwards.
final class VirtualHost: @unchecked Sendable {
    let hostname: String
    /// Keyed by `ByteHash` of the path value (exact) or the normalized prefix.
    var exact: [UInt64: [CompiledMatch]] = [:]
    var prefix: [UInt64: [CompiledMatch]] = [:]
    var regex: [CompiledMatch] = []
    /// gRPC matches, in precedence order (GRPCRoutes are never merged with HTTPRoutes).
    var grpc: [CompiledMatch] = []

    init(hostname: String) { self.hostname = hostname }

    func add(_ match: CompiledMatch) {
        if match.ref.kind == "GRPCRoute" { grpc.append(match); return }
        switch match.path {
        case .exact(let value): exact[ByteHash.of(value), default: []].append(match)
        case .prefix(let value, _): prefix[ByteHash.of(value), default: []].append(match)
        case .regex: regex.append(match)
        }
    }

    func sort() {
        let order: (CompiledMatch, CompiledMatch) -> Bool = { $0.precedence.beats($1.precedence) }
        for key in exact.keys { exact[key]!.sort(by: order) }
        for key in prefix.keys { prefix[key]!.sort(by: order) }
        regex.sort(by: order)
        grpc.sort(by: order)
    }

    /// Every match of the vhost in precedence order (explanations only; not the hot path).
    var allHTTPMatches: [CompiledMatch] {
        (exact.values.flatMap { $0 } + regex + prefix.values.flatMap { $0 }).sorted { $0.precedence.beats($1.precedence) }
    }
}

/// A layer-4 route rule attached to a listener (TLS passthrough, TCP, UDP).
struct L4Entry: Sendable {
    let rule: CompiledRule
    let age: ObjectMeta
    let name: String
}

/// A listener ready to serve: its HTTP virtual hosts or its layer-4 routes.
/// Mutated only while TableBuilder builds it; read-only afterwards.
final class CompiledListener: @unchecked Sendable {
    let ref: ListenerRef
    let hostname: String?
    let proto: ListenerProtocol
    let tlsMode: ListenerTLS.Mode?

    init(ref: ListenerRef, hostname: String?, proto: ListenerProtocol, tlsMode: ListenerTLS.Mode?) {
        self.ref = ref
        self.hostname = hostname
        self.proto = proto
        self.tlsMode = tlsMode
    }
    var vhosts: [String: VirtualHost] = [:]
    /// Whether any virtual host is a wildcard; without one, lookups skip the suffix walk.
    var hasWildcardHosts = false
    /// Layer-4 entries by SNI hostname key (`*` for TCP/UDP), oldest route first.
    var l4: [String: [L4Entry]] = [:]
}

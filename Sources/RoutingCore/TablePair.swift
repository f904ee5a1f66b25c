import GatewayAPI

/// A baseline table and a candidate table, routed side by side. A candidate
/// change usually touches a few hostnames; every other virtual host compiles
/// to the same listener, the same hostname resolution and the same ordered
/// match lists in both tables. For a request the baseline lookup settled in
/// such a virtual host, the candidate's verdict is the baseline's with the
/// candidate's match index: no second lookup. Replay routes every request in
/// both worlds, so this halves its routing for untouched traffic.
///
/// The check is structural and conservative: anything that could make the
/// candidate's lookup answer differently (a listener, a hostname, a match, its
/// order, a backend's weight, identity (its race seed) or validity, backend
/// order) leaves the virtual host out, and its requests are routed by the
/// candidate table itself.
public final class TablePair: Sendable {
    public let baseline: RoutingTable
    public let candidate: RoutingTable
    /// The candidate's index of each baseline match in a twin virtual host; -1 otherwise.
    private let twinMatch: FrozenArray<Int32>
    /// By baseline virtual host: whether it has a twin.
    private let twinHost: FrozenArray<Bool>
    /// Listeners, ports and hostname resolution agree: a miss outside any
    /// virtual host is a miss in both.
    private let sameHosts: Bool

    public init(baseline: RoutingTable, candidate: RoutingTable) {
        self.baseline = baseline
        self.candidate = candidate
        let twins = TwinVirtualHosts(baseline.flat, candidate.flat)
        twinMatch = FrozenArray(twins.matches)
        twinHost = FrozenArray(twins.hosts)
        sameHosts = twins.sameHosts
    }

    /// Both sides are one table (no change applies yet): every request is routed once.
    public var identical: Bool { baseline === candidate }

    /// How many baseline virtual hosts have a twin (tests check the pairing happens).
    var twinVirtualHosts: Int { twinHost.buffer.lazy.filter { $0 }.count }

    deinit {
        twinMatch.free()
        twinHost.free()
    }

    /// Both verdicts for a request read in place; the same as routing it in
    /// each table.
    public func verdicts(_ request: borrowing BorrowedRequest, key: UnsafeBufferPointer<UInt8>) -> (RouteVerdict, RouteVerdict) {
        withUnsafePointer(to: request) { request in
            let (before, lookup) = baseline.verdictAndLookup(request, key: key)
            return (before, candidateVerdict(lookup, before) ?? candidate.verdictAndLookup(request, key: key).verdict)
        }
    }

    /// Both verdicts for a request read in place, as their `words`, when both are
    /// request-independent (`areRequestIndependent`); nil otherwise. Words rather
    /// than verdicts: plain data, which the caller copies and compares without
    /// touching the verdicts' references (replay asks this of every request).
    /// A candidate verdict read off a twin is independent exactly when the
    /// baseline's is (twins have equal actions and no decided verdict), so the
    /// candidate's match record, which nothing else reads on such a request and
    /// is rarely in the cache, is not read.
    public func independentWords(_ request: borrowing BorrowedRequest, key: UnsafeBufferPointer<UInt8>)
        -> (before: (UInt64, UInt64), after: (UInt64, UInt64))? {
        withUnsafePointer(to: request) { request in
            let (before, lookup) = baseline.verdictAndLookup(request, key: key)
            guard baseline.isRequestIndependent(before), let beforeWords = before.words else { return nil }
            if let twin = candidateVerdict(lookup, before) { return twin.words.map { (beforeWords, $0) } }
            let after = candidate.verdictAndLookup(request, key: key).verdict
            guard candidate.isRequestIndependent(after), let afterWords = after.words else { return nil }
            return (beforeWords, afterWords)
        }
    }

    /// Both verdicts for a request.
    public func verdicts(_ request: RouteRequest, key: String) -> (RouteVerdict, RouteVerdict) {
        let (before, lookup) = baseline.verdictAndLookup(request, key: key)
        return (before, candidateVerdict(lookup, before) ?? candidate.verdictAndLookup(request, key: key).verdict)
    }

    /// Both verdicts are request-independent (RoutingTable.isRequestIndependent).
    /// Asked here rather than of each table by the caller, which would retain
    /// the tables, shared by replay's threads, twice per request.
    public func areRequestIndependent(_ before: RouteVerdict, _ after: RouteVerdict) -> Bool {
        baseline.isRequestIndependent(before) && candidate.isRequestIndependent(after)
    }

    /// The candidate's verdict read off the baseline's, when the baseline
    /// lookup ended in a twin virtual host (or in none, with the same hosts).
    @inline(__always)
    private func candidateVerdict(_ result: FlatResult, _ before: RouteVerdict) -> RouteVerdict? {
        if identical { return before }
        switch result {
        case .hit(_, let match):
            let twin = twinMatch[Int(match)]
            guard twin >= 0, before.decided == nil else { return nil }
            return RouteVerdict(outcome: before.outcome, status: before.status, listener: before.listener, match: twin,
                                backend: before.backend, decided: nil)
        case .miss(_, let virtualHost):
            guard virtualHost >= 0 ? twinHost[Int(virtualHost)] : sameHosts else { return nil }
            return before
        case .fallback:
            return nil
        }
    }
}

/// Which virtual hosts of two flat tables answer every request alike
/// (TablePair). Listener indices and virtual-host indices then coincide:
/// both tables lay them out in port, Gateway, listener and sorted-hostname
/// order (FlatTableBuilder).
private struct TwinVirtualHosts {
    let a: FlatTable
    let b: FlatTable
    var matches: [Int32]
    var hosts: [Bool]
    var sameHosts = false

    init(_ a: FlatTable, _ b: FlatTable) {
        self.a = a
        self.b = b
        matches = Array(repeating: -1, count: a.matches.count)
        hosts = Array(repeating: false, count: a.virtualHosts.count)
        guard a.usable, b.usable, sameListeners(), sameHostResolution() else { return }
        sameHosts = true
        let aLists = pathLists(a)
        let bLists = pathLists(b)
        for index in 0..<a.virtualHosts.count {
            let (aStart, aEnd) = matchRange(a, index)
            let (bStart, bEnd) = matchRange(b, index)
            guard aEnd - aStart == bEnd - bStart, sameVirtualHost(index),
                  (aStart..<aEnd).allSatisfy({ sameMatch(a.matches[$0], b.matches[$0 - aStart + bStart]) }),
                  sameLists(aLists[Int32(index)] ?? [], aStart, bLists[Int32(index)] ?? [], bStart) else { continue }
            hosts[index] = true
            for offset in 0..<(aEnd - aStart) { matches[aStart + offset] = Int32(bStart + offset) }
        }
    }

    /// Ports, Gateways and listeners (protocol, hostname): the same listener wins in both.
    func sameListeners() -> Bool {
        guard a.gatewayKeys == b.gatewayKeys, a.ports.count == b.ports.count, a.portGateways.count == b.portGateways.count,
              a.listeners.count == b.listeners.count else { return false }
        for i in 0..<a.ports.count {
            let (x, y) = (a.ports[i], b.ports[i])
            guard x.port == y.port, x.start == y.start, x.count == y.count else { return false }
        }
        for i in 0..<a.portGateways.count {
            let (x, y) = (a.portGateways[i], b.portGateways[i])
            guard x.gateway == y.gateway, x.listenerStart == y.listenerStart, x.listenerCount == y.listenerCount else { return false }
        }
        for i in 0..<a.listeners.count {
            let (x, y) = (a.listeners[i], b.listeners[i])
            guard x.isHTTP == y.isHTTP, x.isHTTPS == y.isHTTPS, x.hasWildcardHosts == y.hasWildcardHosts,
                  sameBytes(x.hostname, y.hostname) else { return false }
        }
        return true
    }

    /// The same hostnames under the same listeners: a Host resolves to the
    /// virtual host of the same index in both.
    func sameHostResolution() -> Bool {
        guard a.virtualHosts.count == b.virtualHosts.count, a.hostSlots.slots.count == b.hostSlots.slots.count else { return false }
        for i in 0..<a.hostSlots.slots.count {
            let (x, y) = (a.hostSlots.slots[i], b.hostSlots.slots[i])
            guard x.key == y.key, x.owner == y.owner, x.tag == y.tag, x.start == y.start, x.count == y.count else { return false }
        }
        return (0..<a.virtualHosts.count).allSatisfy { sameBytes(a.virtualHosts[$0].hostname, b.virtualHosts[$0].hostname) }
    }

    func sameVirtualHost(_ index: Int) -> Bool {
        let (x, y) = (a.virtualHosts[index], b.virtualHosts[index])
        return x.regexCount == y.regexCount && x.hasGRPC == y.hasGRPC && x.prefixDepths == y.prefixDepths && x.exactLengths == y.exactLengths
    }

    /// A virtual host's matches: its regex list, then its Exact and PathPrefix lists, up to the next one's.
    func matchRange(_ table: FlatTable, _ index: Int) -> (Int, Int) {
        let start = Int(table.virtualHosts[index].regexStart)
        return (start, index + 1 < table.virtualHosts.count ? Int(table.virtualHosts[index + 1].regexStart) : table.matches.count)
    }

    /// Accepts the same requests and gives the same verdict.
    func sameMatch(_ x: FlatTable.Match, _ y: FlatTable.Match) -> Bool {
        guard x.kind == y.kind, x.needsObject == y.needsObject, x.headerCount == y.headerCount,
              sameBytes(x.path, y.path), sameBytes(x.method, y.method), sameAction(x.action, y.action) else { return false }
        for i in 0..<Int(x.headerCount) {
            let (p, q) = (a.headers[Int(x.headerStart) + i], b.headers[Int(y.headerStart) + i])
            guard sameBytes(p.name, q.name), sameBytes(p.value, q.value) else { return false }
        }
        return !x.needsObject || a.matchObjects[Int(x.object)].acceptsSameRequests(as: b.matchObjects[Int(y.object)])
    }

    /// What RoutingTable.verdict reads of a rule: statuses, CORS, and each
    /// backend's weight, race seed and validity, position by position (the seed
    /// stands for the backend's identity: a reorder or a renamed backend
    /// picks other offsets for the same keys).
    func sameAction(_ x: FlatTable.Rule, _ y: FlatTable.Rule) -> Bool {
        guard x.failureStatus == y.failureStatus, x.redirectStatus == y.redirectStatus, x.hasCORS == y.hasCORS,
              x.readsRequest == y.readsRequest, x.backendCount == y.backendCount else { return false }
        return (0..<Int(x.backendCount)).allSatisfy {
            let (p, q) = (a.backends[Int(x.backendStart) + $0], b.backends[Int(y.backendStart) + $0])
            return p.weight == q.weight && p.seed == q.seed && p.valid == q.valid
        }
    }

    /// Each virtual host's Exact and PathPrefix lists: (tag, key, start, count).
    func pathLists(_ table: FlatTable) -> [Int32: [FlatTable.Slot]] {
        var lists: [Int32: [FlatTable.Slot]] = [:]
        for i in 0..<table.pathSlots.slots.count where table.pathSlots.slots[i].count > 0 {
            lists[table.pathSlots.slots[i].owner, default: []].append(table.pathSlots.slots[i])
        }
        return lists
    }

    /// The same lists at the same offsets from each virtual host's first match.
    func sameLists(_ x: [FlatTable.Slot], _ xBase: Int, _ y: [FlatTable.Slot], _ yBase: Int) -> Bool {
        func normalized(_ slots: [FlatTable.Slot], _ base: Int) -> [[UInt64]] {
            slots.map { [UInt64($0.tag.rawValue), $0.key, UInt64(Int($0.start) - base), UInt64($0.count)] }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        return x.count == y.count && normalized(x, xBase) == normalized(y, yBase)
    }

    func sameBytes(_ x: ArenaSlice, _ y: ArenaSlice) -> Bool {
        guard x.length == y.length else { return false }
        guard x.length > 0 else { return true }
        return a.arena.buffer[Int(x.offset)..<Int(x.offset + x.length)].elementsEqual(b.arena.buffer[Int(y.offset)..<Int(y.offset + y.length)])
    }
}

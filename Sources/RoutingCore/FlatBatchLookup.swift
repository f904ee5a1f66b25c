import CPrefetch
import GatewayAPI

extension FlatTable {
    /// Requests looked up together: enough for their cache misses to overlap,
    /// few enough that the lines fetched for the first are still in the cache
    /// when it is finished.
    static let batchWidth = 16
    /// Hash-index probes a batched request may need (its Exact list and its
    /// PathPrefix candidates); a path with more is looked up alone.
    static let batchedProbes = 10

    /// What `lookup(_:)` answers for each request, in order, into `results`;
    /// `batchWidth` requests at a time, in stages, so that the reads of one
    /// request's hash slots and matches wait on memory together with the
    /// others' instead of one after the other. On a table larger than the
    /// cache most of a lookup's time is those waits, and this keeps the
    /// cost per request close to a small table's (the technique of DPDK's
    /// bulk hash lookups). The answer is the same one: the stages only
    /// prefetch and probe, and the last stage matches with the same functions.
    func lookups(_ requests: UnsafeBufferPointer<BorrowedRequest>, into results: UnsafeMutablePointer<FlatResult>) {
        withUnsafeTemporaryAllocation(of: StagedLookup.self, capacity: Self.batchWidth) { staged in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.batchWidth * Self.batchedProbes) { scratch in
                let staged = staged.baseAddress!, scratch = scratch.baseAddress!
                var start = 0
                while start < requests.count {
                    let count = min(Self.batchWidth, requests.count - start)
                    let batch = UnsafeBufferPointer(rebasing: requests[start..<(start + count)])
                    locateAndProbe(batch, staged: staged, scratch: scratch, into: results + start)
                    readSlots(count: count, staged: staged, scratch: scratch)
                    prefetchMatchFields(count: count, staged: staged, scratch: scratch)
                    finish(batch, staged: staged, scratch: scratch, into: results + start)
                    start += count
                }
            }
        }
    }

    /// One request's progress through the stages. Its hash-index probes are
    /// its `batchedProbes` words of scratch: word 0 the Exact list's (when
    /// `hasExact`), words 1..<probeCount the PathPrefix lists', longest
    /// first; each a key until `readSlots`, then the list found, as
    /// (start << 32 | count).
    private struct StagedLookup {
        var state: State
        var hasExact: Bool
        var probeCount: Int32
        var listener: Int32
        var virtualHost: Int32
        var path: UnsafeBufferPointer<UInt8>

        /// The scratch words in use: word 0 only with an Exact probe.
        var probeRange: Range<Int> { (hasExact ? 0 : 1)..<Int(probeCount) }

        /// A list found (start, count) as the scratch word that held its probe key.
        static func word(list start: Int32, _ count: Int32) -> UInt64 {
            UInt64(UInt32(bitPattern: start)) << 32 | UInt64(UInt32(bitPattern: count))
        }

        static func list(_ word: UInt64) -> (start: Int32, count: Int32) {
            (Int32(truncatingIfNeeded: word >> 32), Int32(truncatingIfNeeded: word))
        }

        enum State: UInt8 {
            /// Its path is being looked up in stages.
            case pending
            /// Answered before its path was (the result is written).
            case decided
            /// Too many probes: the last stage runs `lookup(_:)`.
            case alone
        }
    }

    /// Stage 1: listener and virtual host (small tables, mostly cached), the
    /// path's probe keys, and a prefetch of each probe's slot.
    private func locateAndProbe(_ batch: UnsafeBufferPointer<BorrowedRequest>, staged: UnsafeMutablePointer<StagedLookup>,
                                scratch: UnsafeMutablePointer<UInt64>, into results: UnsafeMutablePointer<FlatResult>) {
        let slots = pathSlots.slots.buffer.baseAddress!
        for index in 0..<batch.count {
            let entry = staged + index
            entry.initialize(to: StagedLookup(state: .decided, hasExact: false, probeCount: 0, listener: -1, virtualHost: -1,
                                              path: UnsafeBufferPointer(start: nil, count: 0)))
            let request = batch.baseAddress! + index
            guard let gateway = portGateway(port: request.pointee.port, gateway: request.pointee.gateway) else {
                (results + index).initialize(to: .fallback)
                continue
            }
            let located = withLookup(request) { $0.locate(host: request.pointee.host, gateway: gateway, isHTTPS: request.pointee.isHTTPS) }
            guard case .virtualHost(let listener, let vhostIndex, let path) = located else {
                (results + index).initialize(to: located.decided ?? .fallback)
                continue
            }
            entry.pointee.state = .pending
            entry.pointee.listener = listener
            entry.pointee.virtualHost = vhostIndex
            entry.pointee.path = path
            // Probe 0 is the Exact list's, when some Exact path has this length; the PathPrefix lists' follow.
            let probes = scratch + index * Self.batchedProbes
            let vhost = virtualHosts[Int(vhostIndex)]
            var count = 1
            var pathHash: UInt64?
            if vhost.prefixDepths != 0 {
                guard let (found, hash) = PrefixHashes.candidates(path, depths: vhost.prefixDepths, into: probes + 1,
                                                                  capacity: Self.batchedProbes - 1) else {
                    entry.pointee.state = .alone
                    continue
                }
                for probe in 1..<(1 + found) { probes[probe] = Self.key(.prefix, owner: vhostIndex, hash: probes[probe]) }
                count += found
                pathHash = hash
            }
            if vhost.exactLengths & (1 << UInt64(path.count & 63)) != 0 {
                probes[0] = Self.key(.exact, owner: vhostIndex, hash: pathHash ?? ByteHash.of(path))
                entry.pointee.hasExact = true
            }
            entry.pointee.probeCount = Int32(count)
            for probe in entry.pointee.probeRange { gwsim_prefetch(slots + pathSlots.home(of: probes[probe])) }
        }
    }

    /// Stage 2: each probe's slot, now cached, gives its list; a prefetch of the list's first match.
    private func readSlots(count: Int, staged: UnsafeMutablePointer<StagedLookup>, scratch: UnsafeMutablePointer<UInt64>) {
        let matchBase = matches.buffer.baseAddress!
        for index in 0..<count where staged[index].state == .pending {
            let entry = staged + index
            let probes = scratch + index * Self.batchedProbes
            for probe in entry.pointee.probeRange {
                let tag: Tag = probe == 0 ? .exact : .prefix
                let (start, found) = pathSlots.list(key: probes[probe], tag: tag, owner: entry.pointee.virtualHost)
                probes[probe] = StagedLookup.word(list: start, found)
                if found > 0 { gwsim_prefetch(matchBase + Int(start)) }
            }
        }
    }

    /// Stage 3: the bytes the first match of each list compares (its path, its method, its header matches).
    private func prefetchMatchFields(count: Int, staged: UnsafeMutablePointer<StagedLookup>, scratch: UnsafeMutablePointer<UInt64>) {
        let arenaBase = arena.buffer.baseAddress!, headerBase = headers.buffer.baseAddress!, matchBase = matches.buffer.baseAddress!
        for index in 0..<count where staged[index].state == .pending {
            let probes = scratch + index * Self.batchedProbes
            for probe in staged[index].probeRange {
                let (start, found) = StagedLookup.list(probes[probe])
                guard found > 0 else { continue }
                let match = matchBase + Int(start)
                gwsim_prefetch(arenaBase + Int(match.pointee.path.offset))
                if !match.pointee.method.isNone { gwsim_prefetch(arenaBase + Int(match.pointee.method.offset)) }
                if match.pointee.headerCount > 0 { gwsim_prefetch(headerBase + Int(match.pointee.headerStart)) }
            }
        }
    }

    /// Stage 4: the matching itself, as `lookup(_:)` does it, over the lists read in stage 2.
    private func finish(_ batch: UnsafeBufferPointer<BorrowedRequest>, staged: UnsafeMutablePointer<StagedLookup>,
                        scratch: UnsafeMutablePointer<UInt64>, into results: UnsafeMutablePointer<FlatResult>) {
        for index in 0..<batch.count {
            let entry = staged + index
            let request = batch.baseAddress! + index
            switch entry.pointee.state {
            case .decided: continue
            case .alone:
                (results + index).initialize(to: lookup(request))
                continue
            case .pending: break
            }
            let probes = scratch + index * Self.batchedProbes
            func list(_ probe: Int) -> (Int32, Int32) { StagedLookup.list(probes[probe]) }
            let path = entry.pointee.path, count = Int(entry.pointee.probeCount)
            let result = withLookup(request) { lookup in
                lookup.matchPath(listener: entry.pointee.listener, virtualHost: entry.pointee.virtualHost, path: path,
                                 exactList: { list(0) },
                                 prefixHit: { _ in
                                     for probe in 1..<count {
                                         if let hit = lookup.firstMatch(in: list(probe), path: path) { return hit }
                                     }
                                     return nil
                                 })
            }
            (results + index).initialize(to: result)
        }
    }
}

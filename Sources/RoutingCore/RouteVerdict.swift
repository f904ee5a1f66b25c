import GatewayAPI

/// The routing decision without its rendering: which listener, which rule
/// match, which backend, and the outcome with its status. Plain values that
/// point into the table that produced it, so deciding costs no allocation and
/// touches none of the compiled objects. `RoutingTable.decision(for:)` renders
/// the full `Decision` (the request as the backend receives it, filters,
/// mirrors) from it, the same one `route(_:key:)` returns.
/// Replay and benchmarks use verdicts where the identity of the answer is all
/// they need.
public struct RouteVerdict: Sendable, Hashable {
    public let outcome: Decision.Outcome
    /// HTTP status for redirect, respond and error outcomes; 0 when forwarding.
    public let status: Int
    // Usable from inlined code: replay reads `words` of two verdicts for every
    // request, and a call into this module per read cost more than the read.
    /// Index of the listener in the table's flat index; -1 when none was chosen.
    @usableFromInline let listener: Int32
    /// Index of the winning match in the flat index; -1 when none.
    @usableFromInline let match: Int32
    /// Offset of the chosen backend within the rule; -1 when none.
    @usableFromInline let backend: Int32
    /// Set when the object path decided (FlatResult.fallback) or the rule needs
    /// the full evaluation (CORS): the decision itself.
    @usableFromInline let decided: DecisionBox?

    /// Hashes the two words of `packed`: replay looks verdict pairs up in
    /// tables, and the synthesized hash would also hash the outcome's raw
    /// value, a String. Equal verdicts still hash equal.
    public func hash(into hasher: inout Hasher) {
        let (indices, answer) = packed
        hasher.combine(indices)
        hasher.combine(answer)
        if let decided { hasher.combine(decided) }
    }

    /// The whole verdict as two words, equal exactly when the verdicts are
    /// equal; nil when it carries a decision (or an unusual status), which
    /// only `==` compares. Replay keys its memo of verdict pairs by these.
    @inlinable @inline(__always)
    public var words: (UInt64, UInt64)? {
        guard decided == nil, (0...0xFFFF).contains(status) else { return nil }
        return packed
    }

    /// Listener and match, then backend, status (its low 16 bits) and outcome.
    @inlinable @inline(__always)
    var packed: (UInt64, UInt64) {
        let outcomeCode: UInt64
        switch outcome {
        case .forward: outcomeCode = 0
        case .redirect: outcomeCode = 1
        case .respond: outcomeCode = 2
        case .error: outcomeCode = 3
        }
        return (UInt64(UInt32(bitPattern: listener)) << 32 | UInt64(UInt32(bitPattern: match)),
                UInt64(UInt32(bitPattern: backend)) << 32 | UInt64(UInt16(truncatingIfNeeded: status)) << 8 | outcomeCode)
    }
}

extension RouteVerdict {
    /// The verdict whose `words` these are (the inverse of `packed`).
    public init(words: (UInt64, UInt64)) {
        let outcomes: [Decision.Outcome] = [.forward, .redirect, .respond, .error]
        self.init(outcome: outcomes[Int(words.1 & 3)], status: Int(UInt16(truncatingIfNeeded: words.1 >> 8)),
                  listener: Int32(bitPattern: UInt32(truncatingIfNeeded: words.0 >> 32)), match: Int32(bitPattern: UInt32(truncatingIfNeeded: words.0)),
                  backend: Int32(bitPattern: UInt32(truncatingIfNeeded: words.1 >> 32)), decided: nil)
    }
}

/// A decision carried by a verdict (reference: verdicts stay small).
@usableFromInline
final class DecisionBox: Sendable, Hashable {
    let decision: Decision
    init(_ decision: Decision) { self.decision = decision }
    @usableFromInline static func == (a: DecisionBox, b: DecisionBox) -> Bool { a.decision == b.decision }
    @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(decision) }
}

extension RoutingTable {
    /// Decides one HTTP request as `route(_:key:)` does, without rendering it.
    public func verdict(_ request: RouteRequest, key: String) -> RouteVerdict {
        verdictAndLookup(request, key: key).verdict
    }

    /// The verdict and the flat lookup it came from (TablePair reads the
    /// candidate's verdict off it). A method of the table, so that its `flat`
    /// is read without a retain: tables are shared by replay's threads, and a
    /// reference count written by several cores per request costs more than
    /// the lookup.
    func verdictAndLookup(_ request: RouteRequest, key: String) -> (verdict: RouteVerdict, lookup: FlatResult) {
        let result = flat.lookup(request)
        return (verdict(result, keyHash: WeightedChoice.keyHash(key)) {
            HTTPRouter.decideByObjects(table: self, request: request, key: key, explain: false)
        }, result)
    }

    /// The same verdict for a request read in place; `key` is the request's key
    /// as UTF-8. Builds plain values only when the flat index cannot decide.
    public func verdict(_ request: borrowing BorrowedRequest, key: UnsafeBufferPointer<UInt8>) -> RouteVerdict {
        withUnsafePointer(to: request) { verdictAndLookup($0, key: key).verdict }
    }

    /// The same, for a request read in place.
    func verdictAndLookup(_ request: UnsafePointer<BorrowedRequest>, key: UnsafeBufferPointer<UInt8>) -> (verdict: RouteVerdict, lookup: FlatResult) {
        let result = flat.lookup(request)
        return (verdict(of: result, request, key: key), result)
    }

    /// The verdict a flat lookup's result gives a request read in place.
    private func verdict(of result: FlatResult, _ request: UnsafePointer<BorrowedRequest>, key: UnsafeBufferPointer<UInt8>) -> RouteVerdict {
        verdict(result, keyHash: WeightedChoice.keyHash(key)) {
            HTTPRouter.decideByObjects(table: self, request: request.pointee.routeRequest(),
                                       key: String(decoding: key, as: UTF8.self), explain: false)
        }
    }

    /// The verdicts of `requests`, each the one `verdict(_:key:)` gives, to
    /// `body` in order with its index; `key(i)` is request i's key. On a table
    /// larger than the cache they are looked up together (FlatTable.lookups),
    /// so that their waits on memory overlap.
    public func verdicts(_ requests: UnsafeBufferPointer<BorrowedRequest>, key: (Int) -> UnsafeBufferPointer<UInt8>,
                         _ body: (Int, RouteVerdict) -> Void) {
        verdicts(requests, key: key, staged: flat.outgrowsCache, body)
    }

    /// The same; `staged` chooses the batched lookup whatever the table's size (tests compare both).
    func verdicts(_ requests: UnsafeBufferPointer<BorrowedRequest>, key: (Int) -> UnsafeBufferPointer<UInt8>, staged: Bool,
                  _ body: (Int, RouteVerdict) -> Void) {
        guard staged else {
            for index in 0..<requests.count { body(index, verdictAndLookup(requests.baseAddress! + index, key: key(index)).verdict) }
            return
        }
        withUnsafeTemporaryAllocation(of: FlatResult.self, capacity: FlatTable.batchWidth) { results in
            var start = 0
            while start < requests.count {
                let count = min(FlatTable.batchWidth, requests.count - start)
                flat.lookups(UnsafeBufferPointer(rebasing: requests[start..<(start + count)]), into: results.baseAddress!)
                for offset in 0..<count {
                    body(start + offset, verdict(of: results[offset], requests.baseAddress! + start + offset, key: key(start + offset)))
                }
                start += count
            }
        }
    }

    private func verdict(_ result: FlatResult, keyHash: @autoclosure () -> UInt64, objects: () -> Decision) -> RouteVerdict {
        switch result {
        case .hit(let listener, let match):
            let rule = flat.matches[Int(match)].action
            if rule.hasCORS { break }
            if rule.failureStatus != 0 { return RouteVerdict(outcome: .error, status: Int(rule.failureStatus), listener: listener, match: match, backend: -1, decided: nil) }
            if rule.redirectStatus != 0 { return RouteVerdict(outcome: .redirect, status: Int(rule.redirectStatus), listener: listener, match: match, backend: -1, decided: nil) }
            // The same race as CompiledRule.pick, over the copies of the weights and seeds.
            let picked: (offset: Int, valid: Bool)?
            if let inline = rule.inlineBackends {
                picked = WeightedChoice.pick(count: Int(rule.backendCount), weight: { Int($0 == 0 ? inline.first : inline.second) },
                                             seed: { $0 == 0 ? inline.firstSeed : inline.secondSeed }, keyHash: keyHash)
                    .map { ($0, $0 == 0 ? inline.firstValid : inline.secondValid) }
            } else {
                let start = Int(rule.backendStart)
                let backends = UnsafeBufferPointer(rebasing: flat.backends.buffer[start..<(start + Int(rule.backendCount))])
                picked = WeightedChoice.pick(count: backends.count, weight: { backends[$0].weight }, seed: { backends[$0].seed },
                                             keyHash: keyHash)
                    .map { ($0, backends[$0].valid) }
            }
            guard let (offset, valid) = picked else {
                return RouteVerdict(outcome: .error, status: 500, listener: listener, match: match, backend: -1, decided: nil)
            }
            return RouteVerdict(outcome: valid ? .forward : .error, status: valid ? 0 : 500, listener: listener, match: match,
                                backend: Int32(offset), decided: nil)
        case .miss(let listener, _):
            return RouteVerdict(outcome: .error, status: 404, listener: listener, match: -1, backend: -1, decided: nil)
        case .fallback:
            break
        }
        let decision = objects()
        return RouteVerdict(outcome: decision.outcome, status: decision.status ?? 0, listener: -1, match: -1, backend: -1,
                            decided: DecisionBox(decision))
    }

    /// The full decision a verdict stands for (same as `route(request, key:)`).
    public func decision(for verdict: RouteVerdict, request: RouteRequest, key: String) -> Decision {
        if let decided = verdict.decided { return decided.decision }
        let listener = flat.listenerObjects[Int(verdict.listener)]
        guard verdict.match >= 0 else {
            return Decision(listener: listener.ref, outcome: .error, status: 404, reason: "no route rule matches",
                            request: HTTPRouter.forwardedRequest(request))
        }
        let winner = flat.matchObjects[Int(flat.matches[Int(verdict.match)].object)]
        return HTTPRouter.forward(table: self, listener: listener, winner: winner, request: request, key: key)
    }

    /// Whether every request that gets this verdict gets the same rule,
    /// backend, outcome and status, and is forwarded with its own host and
    /// path: no rewrite, redirect or CORS filter reads the request. Replay
    /// compares such verdicts once per distinct pair instead of per request.
    public func isRequestIndependent(_ verdict: RouteVerdict) -> Bool {
        guard verdict.decided == nil else { return false }
        guard verdict.match >= 0 else { return true }
        return !flat.matches[Int(verdict.match)].action.readsRequest
    }

    /// Whether the verdict forwards the request exactly as it came: a request-independent
    /// forward whose rule and chosen backend carry no filter at all (no header change,
    /// rewrite, mirror or CORS). The live proxy's byte path then renders the decision once
    /// per verdict and forwards the client's head as it is (with the forwarding fields).
    public func forwardsUnfiltered(_ verdict: RouteVerdict) -> Bool {
        guard verdict.decided == nil, verdict.outcome == .forward, verdict.match >= 0, verdict.backend >= 0,
              !flat.matches[Int(verdict.match)].action.readsRequest else { return false }
        let rule = rules[Int(flat.matches[Int(verdict.match)].rule)]
        return rule.filters.isEmpty && rule.backends[Int(verdict.backend)].filters.isEmpty
    }

    /// The rule match that won, if any.
    public func rule(of verdict: RouteVerdict) -> RuleRef? {
        if let decided = verdict.decided { return decided.decision.route }
        return verdict.match >= 0 ? flat.matchObjects[Int(flat.matches[Int(verdict.match)].object)].ref : nil
    }

    /// The backend chosen, if any (also for an invalid one that answers 500).
    public func backend(of verdict: RouteVerdict) -> BackendRef? {
        if let decided = verdict.decided { return decided.decision.backend }
        guard verdict.backend >= 0 else { return nil }
        let rule = rules[Int(flat.matches[Int(verdict.match)].rule)]
        return rule.backends[Int(verdict.backend)].ref
    }
}

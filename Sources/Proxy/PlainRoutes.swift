import GatewayAPI
import RoutingCore

/// Routing for the byte path's plain heads (`PlainRequestHead`): the verdict is read off
/// the client's bytes where they lie (`BorrowedRequest`, as replay does), and a verdict
/// that forwards the request as it came (`RoutingTable.forwardsUnfiltered`) stands for
/// the same decision whatever the request: rendered once per verdict and kept, for the
/// world it came from. One per client connection, touched only on its event loop.
final class PlainRoutes {
    /// What forwarding a plain request needs of its decision.
    struct Route {
        /// The decision as rendered for the first request with this verdict: the same rule,
        /// backend and outcome for every one (what the request record reads of it).
        let decision: Decision
        let backend: BackendRef
        let backendName: String
        let edits: ResponseEdits
        let timeouts: Timeouts
    }

    private struct Key: Hashable {
        let first: UInt64
        let second: UInt64
    }

    /// Routes by verdict; nil for a verdict the byte path forwards only with its full decision.
    private var routes: [Key: Route?] = [:]
    private var epoch: RoutingEpoch?
    private var borrowed: [BorrowedHeader] = []

    /// The route of `head` (its offsets into `bytes`), or nil when it needs more than
    /// forwarding as it came; `key` is the request's id (its weighted choice).
    func route(_ head: PlainRequestHead, fields: [PlainRequestHead.Field], in bytes: UnsafeRawBufferPointer, world: ProxyWorld,
               epoch: RoutingEpoch, port: Int, isHTTPS: Bool, sni: String?, key: String,
               serves: (Decision) -> Bool) -> Route? {
        if epoch != self.epoch {
            routes.removeAll()
            self.epoch = epoch
        }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        func span(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base + range.lowerBound, count: range.count) }
        borrowed.removeAll(keepingCapacity: true)
        for field in fields { borrowed.append(BorrowedHeader(name: span(field.name), value: span(field.value))) }
        var key = key
        var sniText = sni
        return borrowed.withUnsafeBufferPointer { headers in
            key.withUTF8 { keyBytes in
                withOptionalUTF8(&sniText) { sniBytes in
                    let request = BorrowedRequest(gateway: nil, port: port, isHTTPS: isHTTPS, method: span(head.method), host: span(head.host),
                                                  target: span(head.target), headers: headers, sni: sniBytes)
                    let table = world.table
                    let verdict = table.verdict(request, key: keyBytes)
                    guard table.forwardsUnfiltered(verdict), let words = verdict.words else { return nil }
                    let memoKey = Key(first: words.0, second: words.1)
                    if let known = routes[memoKey] { return known }
                    let decision = table.decision(for: verdict, request: request.routeRequest(), key: String(decoding: keyBytes, as: UTF8.self))
                    var route: Route?
                    if serves(decision), let backend = decision.backend {
                        route = Route(decision: decision, backend: backend, backendName: backend.description, edits: ResponseEdits(decision),
                                      timeouts: decision.timeouts)
                    }
                    routes[memoKey] = route
                    return route
                }
            }
        }
    }
}

/// `body` with the UTF-8 bytes of `text`, or nil when there is none.
private func withOptionalUTF8<Result>(_ text: inout String?, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
    guard text != nil else { return body(nil) }
    return text!.withUTF8 { body($0) }
}

import GatewayAPI
import RoutingCore

/// Routing for the byte path's plain heads (`PlainRequestHead`): the verdict is read off
/// the client's bytes where they lie (`BorrowedRequest`, as replay does), and a verdict
/// that forwards the request as it came (`RoutingTable.forwardsUnfiltered`) stands for
/// the same decision whatever the request: rendered once per verdict and kept, with its
/// backend's endpoints, for the world it came from. One per client connection, touched
/// only on its event loop.
final class PlainRoutes {
    /// What forwarding a plain request needs of its decision. A class: each request
    /// holds its route until the exchange ends, and copying the decision's many
    /// references in and out cost more than routing the request.
    final class Route {
        /// The decision as rendered for the first request with this verdict: the same rule,
        /// backend and outcome for every one (what the request record reads of it).
        let decision: Decision
        let backend: BackendRef
        let backendName: String
        /// The backend's endpoints in the route's world, looked up once with the rest.
        let endpoints: [Endpoint]
        let edits: ResponseEdits
        let timeouts: Timeouts
        /// What request records say of it, and of its endpoints (`endpoints` order): the
        /// same for every request it takes, so spelled once.
        let recordedNames: RecordedNames
        private let endpointDescriptions: [String]

        init(decision: Decision, backend: BackendRef, world: ProxyWorld) {
            self.decision = decision
            self.backend = backend
            backendName = backend.description
            endpoints = world.resolver.endpoints(for: backend)
            edits = ResponseEdits(decision)
            timeouts = decision.timeouts
            recordedNames = RecordedNames(decision)
            endpointDescriptions = endpoints.map(\.description)
        }

        /// `endpoint.description`, spelled once for the route's own endpoints (found by a
        /// scan, so only for a few: a long list costs more to scan than to spell).
        func description(of endpoint: Endpoint) -> String {
            guard endpoints.count <= 8, let index = endpoints.firstIndex(of: endpoint) else { return endpoint.description }
            return endpointDescriptions[index]
        }
    }

    private struct Key: Hashable {
        let first: UInt64
        let second: UInt64
    }

    /// Routes by verdict; nil for a verdict the byte path forwards only with its full decision.
    private var routes: [Key: Route?] = [:]
    /// The last route found, asked first: a connection's requests mostly repeat their verdict.
    private var last: (key: Key, route: Route?)?
    private var epoch: RoutingEpoch?
    private var borrowed: [BorrowedHeader] = []

    /// The route of `head` (its offsets into `bytes`), or nil when it needs more than
    /// forwarding as it came; `key` is the request's id (its weighted choice).
    func route(_ head: PlainRequestHead, fields: [PlainRequestHead.Field], in bytes: UnsafeRawBufferPointer, world: ProxyWorld,
               epoch: RoutingEpoch, port: Int, isHTTPS: Bool, sni: String?, key: String,
               serves: (Decision) -> Bool) -> Route? {
        if epoch != self.epoch {
            routes.removeAll()
            last = nil
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
                    if let last, last.key == memoKey { return last.route }
                    if let known = routes[memoKey] {
                        last = (memoKey, known)
                        return known
                    }
                    let decision = table.decision(for: verdict, request: request.routeRequest(), key: String(decoding: keyBytes, as: UTF8.self))
                    var route: Route?
                    if serves(decision), let backend = decision.backend {
                        route = Route(decision: decision, backend: backend, world: world)
                    }
                    routes[memoKey] = route
                    last = (memoKey, route)
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

import GatewayAPI
@testable import RoutingCore
import Testing

/// Batched verdicts (RoutingTable.verdicts, FlatTable.lookups) stage the same
/// lookup differently: each must equal the verdict of its request routed alone.
/// These tables fit in the cache, so the staged lookup is asked for by name.
@Suite struct BatchedLookupTests {
    typealias F = Fixture

    /// PathPrefix matches at twelve depths: a path under all of them has more
    /// candidates than a batched request may probe, and is looked up alone.
    static let deep = F.httpRoute("deep", hostnames: ["deep.test"], rules: "[" + (1...12).map { depth in
        rule("{path: {type: PathPrefix, value: \((1...depth).map { "/d\($0)" }.joined())}}", to: depth % 2 == 0 ? "one" : "two")
    }.joined(separator: ", ") + "]")

    @Test func batchedVerdictsEqualSingleOnes() {
        let table = F.table(FlatIndexTests.routes + [Self.deep], gateway: F.gateway(listeners: FlatIndexTests.listeners))
        var requests: [RouteRequest] = []
        for host in FlatIndexTests.hosts + ["deep.test"] {
            for path in FlatIndexTests.paths + ["/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/x", "/d1/d2/d3/x", "/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10"] {
                for headers in FlatIndexTests.headerSets {
                    for (method, port) in [("GET", 80), ("POST", 80), ("get", 80), ("GET", 8080), ("GET", 81)] {
                        requests.append(get(path, host: host, method: method, headers: headers, port: port))
                    }
                }
            }
        }
        let keys = requests.indices.map { "k-\($0)" }
        let batch = BorrowedBatch(requests, keys: keys)
        var seen = 0
        // Lengths that are not multiples of the batch width leave partial batches.
        for (start, end) in [(0, requests.count), (3, 3 + 37), (5, 6)] {
            seen = start
            batch.withRequests { borrowed, borrowedKeys in
                table.verdicts(UnsafeBufferPointer(rebasing: borrowed[start..<end]), key: { borrowedKeys[start + $0] }, staged: true) { index, verdict in
                    #expect(index == seen - start)
                    let request = requests[start + index]
                    #expect(verdict == table.verdict(request, key: keys[start + index]),
                            "\(request.method) \(request.host)\(request.path) \(request.headers) port \(request.port)")
                    seen += 1
                }
            }
            #expect(seen == end)
        }
    }

    @Test func batchedHTTPSAndNamedGatewaysEqualSingleOnes() {
        let https = "{name: https, port: 443, protocol: HTTPS, hostname: \"*.secure.test\", tls: {certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}"
        let secret = "{apiVersion: v1, kind: Secret, metadata: {name: cert, namespace: infra}, type: kubernetes.io/tls, data: {tls.crt: \"\", tls.key: \"\"}}"
        let table = F.table([secret, F.httpRoute("s", hostnames: ["a.secure.test"], rules: "[\(rule(to: "one"))]")],
                            gateway: F.gateway(listeners: [https]))
        var requests: [RouteRequest] = []
        for (host, sni) in [("a.secure.test", "a.secure.test"), ("a.secure.test", nil), ("b.secure.test", "a.secure.test"),
                            ("A.secure.test", "a.secure.test")] as [(String, String?)] {
            for gateway in [nil, ObjectKey(kind: "Gateway", namespace: "infra", name: "gw"), ObjectKey(kind: "Gateway", namespace: "infra", name: "no")] {
                requests.append(RouteRequest(gateway: gateway, port: 443, scheme: "https", host: host, path: "/", sni: sni))
            }
        }
        let batch = BorrowedBatch(requests, keys: requests.map { _ in "k" })
        var count = 0
        batch.withRequests { borrowed, keys in
            table.verdicts(borrowed, key: { keys[$0] }, staged: true) { index, verdict in
                #expect(verdict == table.verdict(requests[index], key: "k"), "\(requests[index].host) sni \(requests[index].sni ?? "-")")
                count += 1
            }
        }
        #expect(count == requests.count)
    }
}

/// Requests read in place from one buffer, all alive at once (a batch).
final class BorrowedBatch {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let headers: UnsafeMutableBufferPointer<BorrowedHeader>
    private let gateways: UnsafeMutableBufferPointer<ObjectKey>
    private var requests: [BorrowedRequest] = []
    private var keys: [UnsafeBufferPointer<UInt8>] = []

    init(_ plain: [RouteRequest], keys plainKeys: [String]) {
        let texts = plain.flatMap { [$0.method, $0.host, $0.path, $0.sni ?? ""] + $0.headers.flatMap { [$0.name, $0.value] } } + plainKeys
        bytes = .allocate(capacity: max(1, texts.reduce(0) { $0 + $1.utf8.count }))
        headers = .allocate(capacity: max(1, plain.reduce(0) { $0 + $1.headers.count }))
        gateways = .allocate(capacity: plain.count)
        var offset = 0, headerCount = 0
        func place(_ text: String) -> UnsafeBufferPointer<UInt8> {
            let start = offset
            for byte in text.utf8 { bytes[offset] = byte; offset += 1 }
            return UnsafeBufferPointer(rebasing: bytes[start..<offset])
        }
        for (index, request) in plain.enumerated() {
            (gateways.baseAddress! + index).initialize(to: request.gateway ?? ObjectKey(kind: "", namespace: "", name: ""))
            let headerStart = headerCount
            for header in request.headers {
                headers[headerCount] = BorrowedHeader(name: place(header.name), value: place(header.value))
                headerCount += 1
            }
            requests.append(BorrowedRequest(gateway: request.gateway == nil ? nil : UnsafePointer(gateways.baseAddress! + index),
                                            port: request.port, isHTTPS: request.scheme == "https", method: place(request.method),
                                            host: place(request.host), target: place(request.path),
                                            headers: UnsafeBufferPointer(rebasing: headers[headerStart..<headerCount]), sni: request.sni.map(place)))
        }
        keys = plainKeys.map(place)
    }

    deinit {
        bytes.deallocate()
        headers.deallocate()
        gateways.baseAddress!.deinitialize(count: gateways.count)
        gateways.deallocate()
    }

    func withRequests<R>(_ body: (UnsafeBufferPointer<BorrowedRequest>, [UnsafeBufferPointer<UInt8>]) -> R) -> R {
        requests.withUnsafeBufferPointer { body($0, keys) }
    }
}
